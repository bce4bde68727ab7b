package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig;

/** How Envoy pools HTTP connections to an upstream. */
final class UpstreamHttpProtocolOptionsFactory {

  // Below the 60 s keep-alive common to upstream servers and CDNs, so Envoy closes an idle pooled
  // connection before the upstream does and rarely sends a request into a closing socket.
  private static final long IDLE_TIMEOUT_SECONDS = 50;

  io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions create() {
    // HTTP/1.1 keep-alive pooling: the same wire protocol whatever the upstream negotiates, so
    // behaviour and benchmarks do not depend on ALPN.
    return io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
        .setCommonHttpProtocolOptions(
            HttpProtocolOptions.newBuilder()
                .setIdleTimeout(Durations.fromSeconds(IDLE_TIMEOUT_SECONDS)))
        .setExplicitHttpConfig(
            ExplicitHttpConfig.newBuilder()
                .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance()))
        .build();
  }
}
