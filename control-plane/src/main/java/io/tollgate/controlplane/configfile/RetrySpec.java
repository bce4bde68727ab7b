package io.tollgate.controlplane.configfile;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * When and how often Envoy retries a route's request on another try.
 *
 * @param attempts retries after the first try (Envoy's {@code num_retries})
 * @param on Envoy's retry conditions ({@code 5xx}, {@code gateway-error}, {@code reset}, ...),
 *     sorted and distinct
 * @param perTryTimeout each try's own deadline; empty: only the route's timeout bounds them
 * @param budget retries in flight the upstream admits; empty: its circuit breaker's maxRetries
 */
public record RetrySpec(
    int attempts, List<String> on, Optional<Duration> perTryTimeout, Optional<RetryBudget> budget) {

  /**
   * Only failures where Envoy knows the upstream never saw the request: retrying after a plain
   * "reset" could replay a POST the upstream already acted on.
   */
  public static final RetrySpec DEFAULT =
      new RetrySpec(
          2,
          List.of("connect-failure", "refused-stream", "reset-before-request"),
          Optional.empty(),
          Optional.empty());

  public static final int DEFAULT_ATTEMPTS = 1;

  public RetrySpec {
    on = List.copyOf(on);
  }

  /**
   * Envoy's retry budget on the upstream's cluster: retries in flight may be {@code percent} of the
   * requests in flight, but never fewer than {@code minConcurrent}.
   */
  public record RetryBudget(double percent, int minConcurrent) {

    /** Envoy's defaults. */
    public static final double DEFAULT_PERCENT = 20;

    public static final int DEFAULT_MIN_CONCURRENT = 3;
  }
}
