package io.tollgate.controlplane.gateway;

import java.util.List;

/**
 * The declarative model of {@code config/tollgate.yaml}: where Envoy listens, the upstreams it may
 * forward to and the routes that pick one. Instances are validated: names are unique, every route
 * names a known upstream, regexes compile.
 *
 * @param listener where Envoy accepts client connections
 * @param upstreams the APIs behind the proxy, in file order
 * @param routes first match wins, so file order is significant
 */
public record GatewayConfig(
    ListenerSpec listener, List<UpstreamSpec> upstreams, List<RouteSpec> routes) {

  public GatewayConfig {
    upstreams = List.copyOf(upstreams);
    routes = List.copyOf(routes);
  }
}
