package io.tollgate.controlplane.configfile;

/**
 * How much load Envoy lets through to one upstream at once; past a limit it answers 503 at once
 * (response flag {@code UO}) instead of queueing.
 *
 * @param maxConnections connections to all endpoints together
 * @param maxPendingRequests requests waiting for a connection
 * @param maxRequests requests in flight
 * @param maxRetries retries in flight (ignored when a route gives the upstream a retry budget)
 */
public record CircuitBreakerSpec(
    int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries) {

  /** Envoy's own defaults, which Tollgate always set explicitly. */
  public static final CircuitBreakerSpec DEFAULT = new CircuitBreakerSpec(1024, 1024, 1024, 3);
}
