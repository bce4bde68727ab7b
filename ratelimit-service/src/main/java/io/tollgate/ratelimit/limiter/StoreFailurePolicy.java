package io.tollgate.ratelimit.limiter;

import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.ratelimit.stats.ServiceStats;
import java.time.Clock;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * What a store failure means for the call ({@code STORE_FAILURE_MODE}): counted by kind (timeout,
 * error, overload) and as the reference's {@code redis_error}, logged at most once per {@code
 * STORE_ERROR_LOG_INTERVAL}, and under {@code error} (the reference's behaviour) the call fails
 * with gRPC {@code UNKNOWN}; {@code allow} and {@code deny} let {@link Judge} answer.
 */
final class StoreFailurePolicy {

  private final Settings.Store settings;
  private final ServiceStats serviceStats;
  private final Counter timeouts;
  private final Counter errors;
  private final Counter overloads;
  private final ThrottledLog log;

  StoreFailurePolicy(
      Settings.Store settings, ServiceStats serviceStats, MeterRegistry meters, Clock clock) {
    this.settings = settings;
    this.serviceStats = serviceStats;
    this.timeouts = failures(meters, "timeout");
    this.errors = failures(meters, "error");
    this.overloads = failures(meters, "overload");
    this.log = new ThrottledLog(RateLimiter.class, settings.errorLogInterval(), clock);
  }

  private static Counter failures(MeterRegistry meters, String kind) {
    return Counter.builder("tollgate_ratelimit_store_failures")
        .description("Calls whose counters the store failed to apply within the deadline")
        .tag("kind", kind)
        .register(meters);
  }

  /** Under {@code deny} a failed call is over its limits (shadow still passes). */
  boolean denies() {
    return settings.failureMode() == Settings.FailureMode.DENY;
  }

  /** Counts and logs {@code error}; throws {@link RateLimitException} under {@code error}. */
  void onFailure(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    boolean timeout = cause instanceof TimeoutException;
    (cause == StoreGate.OVERLOAD ? overloads : timeout ? timeouts : errors).increment();
    serviceStats.redisError();
    String detail =
        timeout
            ? "no reply within " + settings.deadline().toMillis() + "ms"
            : String.valueOf(cause.getMessage());
    log.warn("counter store failed ({} mode): {}", settings.failureMode(), detail);
    if (settings.failureMode() == Settings.FailureMode.ERROR) {
      throw new RateLimitException(
          Status.UNKNOWN.withDescription("redis error: " + detail).withCause(cause), true);
    }
  }
}
