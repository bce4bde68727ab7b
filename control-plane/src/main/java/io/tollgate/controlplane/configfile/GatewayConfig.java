package io.tollgate.controlplane.configfile;

import io.tollgate.controlplane.access.AccessRule;
import io.tollgate.controlplane.limits.LimitRule;
import java.util.List;
import java.util.Optional;

/**
 * The declarative model of {@code config/tollgate.yaml}: where Envoy listens, the upstreams it may
 * forward to and the routes that pick one. Instances are validated: names are unique, every route
 * names a known upstream, regexes compile.
 *
 * @param listener where Envoy accepts client connections
 * @param upstreams the APIs behind the proxy, in file order
 * @param routes first match wins, so file order is significant
 * @param limits limit rules declared in the file (GitOps), validated as the REST API validates
 * @param access allow and deny entries declared in the file; read-only through the REST API
 */
public record GatewayConfig(
    ListenerSpec listener,
    List<UpstreamSpec> upstreams,
    List<RouteSpec> routes,
    List<LimitRule> limits,
    List<AccessRule> access) {

  public GatewayConfig {
    upstreams = List.copyOf(upstreams);
    routes = List.copyOf(routes);
    limits = List.copyOf(limits);
    access = List.copyOf(access);
  }

  /** A config that declares no access entries. */
  public GatewayConfig(
      ListenerSpec listener,
      List<UpstreamSpec> upstreams,
      List<RouteSpec> routes,
      List<LimitRule> limits) {
    this(listener, upstreams, routes, limits, List.of());
  }

  /** A config that declares no limit rules. */
  public GatewayConfig(
      ListenerSpec listener, List<UpstreamSpec> upstreams, List<RouteSpec> routes) {
    this(listener, upstreams, routes, List.of());
  }

  /**
   * The retry budget of {@code upstream}'s cluster: Envoy keeps it per cluster, so the routes to
   * one upstream that state a budget state the same one (the validator checks it).
   */
  public Optional<RetrySpec.RetryBudget> retryBudget(String upstream) {
    return routes.stream()
        .filter(r -> r.upstream().equals(upstream))
        .flatMap(r -> r.retries().budget().stream())
        .findFirst();
  }
}
