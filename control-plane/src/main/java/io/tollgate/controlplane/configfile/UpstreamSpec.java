package io.tollgate.controlplane.configfile;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An API the proxy forwards to.
 *
 * @param name unique; becomes the Envoy cluster name (and so the stats prefix)
 * @param tls whether the URL scheme was https (the same for every endpoint)
 * @param endpoints where it is, in file order: one {@code url}, or the {@code endpoints} list
 * @param caFile CA bundle on the Envoy host that verifies the upstream; empty means the system one
 * @param connectTimeout TCP (and TLS) connect timeout
 * @param timeout whole-request timeout of the routes that set none
 * @param circuitBreaker how much load goes through at once
 * @param outlierDetection when an endpoint is ejected for failing
 * @param healthCheck active health checking; empty: none
 */
public record UpstreamSpec(
    String name,
    boolean tls,
    List<UpstreamEndpoint> endpoints,
    Optional<String> caFile,
    Duration connectTimeout,
    Duration timeout,
    CircuitBreakerSpec circuitBreaker,
    OutlierDetectionSpec outlierDetection,
    Optional<HealthCheckSpec> healthCheck) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  public UpstreamSpec {
    endpoints = List.copyOf(endpoints);
  }

  /** One endpoint with the default circuit breaker and outlier detection, no health check. */
  public UpstreamSpec(
      String name,
      boolean tls,
      String host,
      int port,
      Optional<String> caFile,
      Duration connectTimeout,
      Duration timeout) {
    this(
        name,
        tls,
        List.of(new UpstreamEndpoint(host, port)),
        caFile,
        connectTimeout,
        timeout,
        CircuitBreakerSpec.DEFAULT,
        OutlierDetectionSpec.DEFAULT,
        Optional.empty());
  }

  static int defaultPort(boolean tls) {
    return tls ? 443 : 80;
  }
}
