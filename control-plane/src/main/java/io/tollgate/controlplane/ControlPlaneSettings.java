package io.tollgate.controlplane;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Every setting of the control plane, bound from {@code tollgate.*} properties or the matching
 * environment variables ({@code TOLLGATE_CONFIG}, {@code TOLLGATE_XDS_PORT}, ...). The README's
 * settings table mirrors this record.
 *
 * @param config the declarative file of listeners, upstreams and routes ({@code TOLLGATE_CONFIG})
 * @param xds the gRPC endpoint serving ADS and the access-log sink
 * @param admin who may use the REST API
 * @param upstreamCaBundle CA bundle, on the Envoy host, that verifies https upstreams without their
 *     own {@code caFile} ({@code TOLLGATE_UPSTREAM_CA_BUNDLE})
 * @param ratelimit how Envoy reaches the rate-limit service and what it does when it cannot
 */
@ConfigurationProperties("tollgate")
public record ControlPlaneSettings(
    @DefaultValue("config/tollgate.yaml") Path config,
    @DefaultValue Xds xds,
    @DefaultValue Admin admin,
    @DefaultValue("/etc/ssl/certs/ca-certificates.crt") String upstreamCaBundle,
    @DefaultValue Ratelimit ratelimit) {

  /**
   * @param address interface of the gRPC server ({@code TOLLGATE_XDS_ADDRESS})
   * @param port its port ({@code TOLLGATE_XDS_PORT})
   */
  public record Xds(@DefaultValue("127.0.0.1") String address, @DefaultValue("18000") int port) {}

  /**
   * @param token bearer token the REST API requires when bound beyond loopback ({@code
   *     TOLLGATE_ADMIN_TOKEN})
   */
  public record Admin(String token) {}

  /**
   * @param address the rate-limit service's gRPC host, as Envoy reaches it ({@code
   *     TOLLGATE_RATELIMIT_ADDRESS}); an IP literal or a DNS name
   * @param port its gRPC port ({@code TOLLGATE_RATELIMIT_PORT})
   * @param timeout Envoy's deadline for one ShouldRateLimit call ({@code
   *     TOLLGATE_RATELIMIT_TIMEOUT})
   * @param failureModeDeny true: answer 500 when the service fails or is late (fail closed); false:
   *     let the request through (fail open) ({@code TOLLGATE_RATELIMIT_FAILUREMODEDENY})
   */
  public record Ratelimit(
      @DefaultValue("127.0.0.1") String address,
      @DefaultValue("8090") int port,
      @DefaultValue("250ms") java.time.Duration timeout,
      @DefaultValue("false") boolean failureModeDeny) {}
}
