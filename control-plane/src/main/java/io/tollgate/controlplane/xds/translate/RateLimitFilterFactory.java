package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.ratelimit.v3.RateLimitServiceConfig;
import io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;

/**
 * Envoy's global rate-limit filter: one ShouldRateLimit per request to the rate-limit service,
 * domain {@value RateLimitConfigs#DOMAIN}, within a deadline; fail open unless configured closed
 * (then 500); over the limit 429 with the {@code x-ratelimit-*} headers of draft 03.
 */
final class RateLimitFilterFactory {

  static final String NAME = "envoy.filters.http.ratelimit";

  HttpFilter create(LimitsInput.RateLimitService service) {
    RateLimit config =
        RateLimit.newBuilder()
            .setDomain(RateLimitConfigs.DOMAIN)
            // Requests from clients: the connection manager marks none internal (see its factory).
            .setRequestType("external")
            .setTimeout(Durations.fromMillis(service.timeout().toMillis()))
            .setFailureModeDeny(service.failureModeDeny())
            .setEnableXRatelimitHeaders(RateLimit.XRateLimitHeadersRFCVersion.DRAFT_VERSION_03)
            .setRateLimitedStatus(HttpStatus.newBuilder().setCode(StatusCode.TooManyRequests))
            .setRateLimitService(
                RateLimitServiceConfig.newBuilder()
                    .setTransportApiVersion(ApiVersion.V3)
                    .setGrpcService(
                        GrpcService.newBuilder()
                            .setEnvoyGrpc(
                                GrpcService.EnvoyGrpc.newBuilder()
                                    .setClusterName(RateLimitClusterFactory.NAME)
                                    // No x-envoy-internal / x-forwarded-for on each call: the
                                    // service reads neither, and both cost Envoy and the
                                    // service a header per decision.
                                    .setSkipEnvoyHeaders(true))))
            .build();
    return HttpFilter.newBuilder().setName(NAME).setTypedConfig(Any.pack(config)).build();
  }
}
