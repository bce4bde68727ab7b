package io.tollgate.controlplane.configfile;

import java.time.Duration;

/**
 * Active health checking: Envoy sends {@code GET path} to every endpoint each interval; an endpoint
 * answering anything but 200 (or not within the timeout) {@code unhealthyThreshold} times in a row
 * takes no traffic until it passes {@code healthyThreshold} checks in a row.
 */
public record HealthCheckSpec(
    String path,
    Duration interval,
    Duration timeout,
    int unhealthyThreshold,
    int healthyThreshold) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;
  public static final int DEFAULT_HEALTHY_THRESHOLD = 2;
}
