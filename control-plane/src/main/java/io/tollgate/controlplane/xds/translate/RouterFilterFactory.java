package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;

/** The terminal HTTP filter that forwards to the route's cluster. */
final class RouterFilterFactory {

  HttpFilter create() {
    // suppress_envoy_headers: clients and upstreams see no x-envoy-* debug headers (upstream
    // service time, expected timeout, attempt count) revealing how the proxy is configured.
    Router router = Router.newBuilder().setSuppressEnvoyHeaders(true).build();
    return HttpFilter.newBuilder()
        .setName(EnvoyNames.ROUTER)
        .setTypedConfig(Any.pack(router))
        .build();
  }
}
