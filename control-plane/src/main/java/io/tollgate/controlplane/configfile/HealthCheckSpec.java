package io.tollgate.controlplane.configfile;

import java.time.Duration;

/**
 * Active health checking: Envoy sends {@code GET path} to every endpoint each interval; an endpoint
 * answering anything but 200 takes no traffic at once, one not answering within the timeout (or
 * refusing the connection) after {@code unhealthyThreshold} such checks in a row, until it passes
 * {@code healthyThreshold} checks in a row.
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
