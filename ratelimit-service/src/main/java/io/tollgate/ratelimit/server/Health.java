package io.tollgate.ratelimit.server;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.tollgate.ratelimit.config.ActiveConfig;
import io.tollgate.ratelimit.config.CompiledConfig;
import io.tollgate.ratelimit.store.CounterStore;

/**
 * Whether the service should get traffic, for {@code /healthcheck} and the gRPC health service
 * (service names {@code ""} and {@code ratelimit}). Unhealthy once shutting down; until the first
 * configuration is loaded (unless {@code FORCE_START_WITHOUT_INITIAL_CONFIG}: the reference does
 * not even listen before that); until a non-empty one is ({@code
 * HEALTHY_WITH_AT_LEAST_ONE_CONFIG_LOADED}); and while Redis is disconnected ({@code
 * REDIS_HEALTH_CHECK_ACTIVE_CONNECTION}).
 */
public final class Health {

  static final String SERVICE_NAME = "ratelimit";

  private final HealthStatusManager grpc = new HealthStatusManager();
  private final ActiveConfig config;
  private final CounterStore store;
  private final boolean requireLoaded;
  private final boolean requireNonEmpty;
  private final boolean requireStore;
  private volatile boolean stopping;

  public Health(
      ActiveConfig config,
      CounterStore store,
      boolean requireLoaded,
      boolean requireNonEmpty,
      boolean requireStore) {
    this.config = config;
    this.store = store;
    this.requireLoaded = requireLoaded;
    this.requireNonEmpty = requireNonEmpty;
    this.requireStore = requireStore;
    refresh();
  }

  public HealthStatusManager grpc() {
    return grpc;
  }

  public boolean healthy() {
    if (stopping) {
      return false;
    }
    CompiledConfig c = config.current();
    if ((requireLoaded || requireNonEmpty) && c == null) {
      return false;
    }
    if (requireNonEmpty && c.isEmpty()) {
      return false;
    }
    return !requireStore || store.connected();
  }

  /** Publishes the current state to the gRPC health service. */
  public void refresh() {
    ServingStatus status = healthy() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    grpc.setStatus("", status);
    grpc.setStatus(SERVICE_NAME, status);
  }

  public void stopping() {
    stopping = true;
    refresh();
  }
}
