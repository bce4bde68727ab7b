package io.tollgate.controlplane.xds.translate;

import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.tollgate.controlplane.configfile.GatewayConfig;
import io.tollgate.controlplane.configfile.UpstreamSpec;
import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Turns Tollgate's model into Envoy resources. Pure and deterministic: no I/O, no clock, the same
 * input always gives the same (equal, identically ordered) output, so a snapshot version can be a
 * hash of it and golden files can pin it. Clusters and rate-limit configs are sorted by name;
 * routes keep the file's order because that order decides which route matches.
 */
public final class Translator {

  private final List<TranslatorExtension> extensions;
  private final ListenerFactory listenerFactory = new ListenerFactory();
  private final HttpConnectionManagerFactory connectionManagerFactory =
      new HttpConnectionManagerFactory(new RouterFilterFactory());
  private final RouteConfigurationFactory routeConfigurationFactory =
      new RouteConfigurationFactory(new RouteFactory(new RetryPolicyFactory()));
  private final ClusterFactory clusterFactory =
      new ClusterFactory(
          new UpstreamTlsFactory(),
          new UpstreamHttpProtocolOptionsFactory(),
          new CircuitBreakersFactory(),
          new OutlierDetectionFactory(),
          new HealthCheckFactory());

  /**
   * @param extensions features that add filters, access logs, route parts, clusters and rate-limit
   *     configs; consulted in list order
   */
  public Translator(List<TranslatorExtension> extensions) {
    this.extensions = List.copyOf(extensions);
  }

  public EnvoyResources translate(TranslatorInput input) {
    GatewayConfig gateway = input.gateway();
    Map<String, UpstreamSpec> upstreamsByName = new LinkedHashMap<>();
    gateway.upstreams().forEach(u -> upstreamsByName.put(u.name(), u));

    List<HttpFilter> filters = collect(e -> e.httpFilters(input));
    List<AccessLog> accessLogs = collect(e -> e.accessLogs(input));
    HttpConnectionManager.Builder connectionManagerBuilder =
        connectionManagerFactory.create(gateway.listener(), filters, accessLogs).toBuilder();
    extensions.forEach(e -> e.decorateConnectionManager(input, connectionManagerBuilder));
    HttpConnectionManager connectionManager = connectionManagerBuilder.build();
    Listener listener = listenerFactory.create(gateway.listener(), connectionManager);

    RouteConfiguration routes =
        routeConfigurationFactory.create(
            gateway.routes(),
            upstreamsByName,
            (spec, route) -> extensions.forEach(e -> e.decorateRoute(input, spec, route)),
            virtualHost -> extensions.forEach(e -> e.decorateVirtualHost(input, virtualHost)));

    List<Cluster> clusters =
        Stream.concat(
                gateway.upstreams().stream()
                    .map(
                        u ->
                            clusterFactory.create(
                                u, gateway.retryBudget(u.name()), input.systemCaFile())),
                collect(e -> e.clusters(input)).stream())
            .sorted(Comparator.comparing(Cluster::getName))
            .toList();

    List<RateLimitConfig> rateLimitConfigs =
        collect(e -> e.rateLimitConfigs(input)).stream()
            .sorted(Comparator.comparing(RateLimitConfig::getName))
            .toList();

    return new EnvoyResources(List.of(listener), List.of(routes), clusters, rateLimitConfigs);
  }

  private <T> List<T> collect(Function<TranslatorExtension, List<T>> part) {
    return extensions.stream().flatMap(e -> part.apply(e).stream()).toList();
  }
}
