package io.tollgate.controlplane.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.tollgate.controlplane.ControlPlaneSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The one gRPC port of the control plane (ADS for Envoy and the rate-limit services, and the
 * access-log sink): every {@link BindableService} bean is served on it, plus gRPC health. With
 * {@code TOLLGATE_XDS_TLS_*} set it takes only mutual TLS, and each call is checked against the
 * client certificate's role ({@link PeerAuthorization}); without them it must stay on loopback.
 * Connections are recycled after {@code TOLLGATE_XDS_MAX_CONNECTION_AGE}, so long-lived ADS streams
 * spread again over the replicas when replicas come and go.
 */
@Component
class GrpcServerLifecycle implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(GrpcServerLifecycle.class);

  private final ControlPlaneSettings settings;
  private final GrpcPortSecurity security;
  private final List<BindableService> services;
  private final HealthStatusManager health = new HealthStatusManager();
  private volatile Server server;

  GrpcServerLifecycle(ControlPlaneSettings settings, List<BindableService> services) {
    this.settings = settings;
    this.security = new GrpcPortSecurity(settings.xds().address(), settings.xds().tls());
    // Here, not in start(): a bad setting stops the application before anything else starts.
    security.requireSafe();
    this.services = services;
  }

  @Override
  public void start() {
    InetSocketAddress address =
        new InetSocketAddress(settings.xds().address(), settings.xds().port());
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(address, security.credentials())
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .maxConnectionAge(settings.xds().maxConnectionAge().toMillis(), TimeUnit.MILLISECONDS)
            .maxConnectionAgeGrace(
                settings.xds().maxConnectionAgeGrace().toMillis(), TimeUnit.MILLISECONDS)
            .addService(health.getHealthService());
    services.forEach(builder::addService);
    if (security.mutualTls()) {
      builder.intercept(new PeerAuthorization());
    }
    try {
      server = builder.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for gRPC on " + address, e);
    }
    log.info(
        "gRPC (xDS, access logs) listening on {} ({}), max connection age {}",
        address,
        security.mutualTls() ? "mutual TLS" : "plaintext, loopback only",
        settings.xds().maxConnectionAge());
  }

  @Override
  public void stop() {
    Server s = server;
    if (s != null) {
      health.enterTerminalState();
      s.shutdown();
      try {
        if (!s.awaitTermination(5, TimeUnit.SECONDS)) {
          s.shutdownNow();
        }
      } catch (InterruptedException e) {
        s.shutdownNow();
        Thread.currentThread().interrupt();
      }
      server = null;
    }
  }

  @Override
  public boolean isRunning() {
    return server != null;
  }

  /** The port actually bound (settings may ask for 0 in tests). */
  public int port() {
    return server.getPort();
  }
}
