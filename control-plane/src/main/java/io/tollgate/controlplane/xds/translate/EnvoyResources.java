package io.tollgate.controlplane.xds.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import java.util.List;

/**
 * What the {@link Translator} produces: the resources one xDS snapshot serves. Envoy fetches the
 * first three; the rate-limit services fetch {@code rateLimitConfigs} over the same ADS stream.
 */
public record EnvoyResources(
    List<Listener> listeners,
    List<RouteConfiguration> routeConfigurations,
    List<Cluster> clusters,
    List<RateLimitConfig> rateLimitConfigs) {

  public EnvoyResources {
    listeners = List.copyOf(listeners);
    routeConfigurations = List.copyOf(routeConfigurations);
    clusters = List.copyOf(clusters);
    rateLimitConfigs = List.copyOf(rateLimitConfigs);
  }
}
