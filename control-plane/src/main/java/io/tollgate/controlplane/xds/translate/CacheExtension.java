package io.tollgate.controlplane.xds.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.tollgate.controlplane.configfile.RouteSpec;
import io.tollgate.controlplane.configfile.UpstreamSpec;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The routes' response cache ({@code routes[].cache}). The filters come after the rate-limit
 * filters (this extension is ordered after {@link RateLimitExtension}), so a cached answer is still
 * counted and limited, and before the router. A route with a cache turns both filters on and
 * forwards to its upstream's cache cluster for its TTL. Nothing is added when no route has a cache.
 */
public final class CacheExtension implements TranslatorExtension {

  private final CacheStatusFilterFactory statusFilter = new CacheStatusFilterFactory();
  private final CacheFilterFactory cacheFilter = new CacheFilterFactory();
  private final CachePerRouteConfigFactory perRoute = new CachePerRouteConfigFactory();
  private final CacheClusterFactory clusters =
      new CacheClusterFactory(
          new ClusterFactory(
              new UpstreamTlsFactory(),
              new UpstreamHttpProtocolOptionsFactory(),
              new CircuitBreakersFactory(),
              new OutlierDetectionFactory(),
              new HealthCheckFactory()),
          new CacheTtlFilterFactory());

  /** The status header's filter first: it must see the response the cache filter sends. */
  @Override
  public List<HttpFilter> httpFilters(TranslatorInput input) {
    return cachedRoutes(input).isEmpty()
        ? List.of()
        : List.of(statusFilter.create(), cacheFilter.create());
  }

  @Override
  public void decorateRoute(TranslatorInput input, RouteSpec route, Route.Builder envoyRoute) {
    route
        .cache()
        .ifPresent(
            cache -> {
              envoyRoute
                  .getRouteBuilder()
                  .setCluster(CacheClusterNames.of(route.upstream(), cache.ttl()));
              envoyRoute.putAllTypedPerFilterConfig(perRoute.create());
            });
  }

  @Override
  public List<Cluster> clusters(TranslatorInput input) {
    Map<String, UpstreamSpec> upstreams =
        input.gateway().upstreams().stream()
            .collect(Collectors.toMap(UpstreamSpec::name, Function.identity()));
    return cachedRoutes(input).stream()
        .map(r -> new UpstreamTtl(r.upstream(), r.cache().orElseThrow().ttl()))
        .distinct()
        .map(
            u ->
                clusters.create(
                    upstreams.get(u.upstream()),
                    input.gateway().retryBudget(u.upstream()),
                    u.ttl(),
                    input.systemCaFile()))
        .sorted(Comparator.comparing(Cluster::getName))
        .toList();
  }

  private static List<RouteSpec> cachedRoutes(TranslatorInput input) {
    return input.gateway().routes().stream().filter(r -> r.cache().isPresent()).toList();
  }

  private record UpstreamTtl(String upstream, Duration ttl) {}
}
