package io.tollgate.controlplane.configfile;

import java.time.Duration;
import java.util.Optional;

/**
 * Passive health: an endpoint that fails too often in a row is ejected from the load balancing for
 * a while (the base ejection time times the number of its ejections so far).
 *
 * @param consecutive5xx 5xx answers of the upstream in a row that eject; empty: never on 5xx
 * @param consecutiveGatewayErrors 502, 503 and 504 answers in a row that eject; empty: never
 * @param consecutiveLocalOriginFailures connection failures, resets and timeouts in a row that
 *     eject
 * @param interval how often ejections are evaluated (and lifted)
 * @param baseEjectionTime how long a first ejection lasts
 * @param maxEjectionPercent at most this share of the endpoints is ejected at once
 */
public record OutlierDetectionSpec(
    Optional<Integer> consecutive5xx,
    Optional<Integer> consecutiveGatewayErrors,
    int consecutiveLocalOriginFailures,
    Duration interval,
    Duration baseEjectionTime,
    int maxEjectionPercent) {

  /**
   * Connection-level failures only: an upstream's 5xx answers are its own business and pass through
   * unchanged unless the file asks to eject on them.
   */
  public static final OutlierDetectionSpec DEFAULT =
      new OutlierDetectionSpec(
          Optional.empty(),
          Optional.empty(),
          5,
          Duration.ofSeconds(10),
          Duration.ofSeconds(30),
          100);
}
