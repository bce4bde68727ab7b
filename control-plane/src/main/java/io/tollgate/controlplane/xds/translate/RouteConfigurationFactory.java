package io.tollgate.controlplane.xds.translate;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.tollgate.controlplane.configfile.RouteSpec;
import io.tollgate.controlplane.configfile.UpstreamSpec;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The route table: one virtual host for every domain, the routes in file order (the first match
 * wins, so this order is the meaning, not an accident).
 */
final class RouteConfigurationFactory {

  private final RouteFactory routeFactory;

  RouteConfigurationFactory(RouteFactory routeFactory) {
    this.routeFactory = routeFactory;
  }

  /**
   * @param routeDecorator adds extension-owned parts (e.g. rate_limits) to each route
   * @param virtualHostDecorator adds extension-owned parts to the virtual host
   */
  RouteConfiguration create(
      List<RouteSpec> routes,
      Map<String, UpstreamSpec> upstreamsByName,
      BiConsumer<RouteSpec, Route.Builder> routeDecorator,
      Consumer<VirtualHost.Builder> virtualHostDecorator) {
    VirtualHost.Builder virtualHost =
        VirtualHost.newBuilder().setName(EnvoyNames.VIRTUAL_HOST).addDomains("*");
    for (RouteSpec spec : routes) {
      Route.Builder route = routeFactory.create(spec, upstreamsByName.get(spec.upstream()));
      routeDecorator.accept(spec, route);
      virtualHost.addRoutes(route);
    }
    virtualHostDecorator.accept(virtualHost);
    return RouteConfiguration.newBuilder()
        .setName(EnvoyNames.ROUTE_CONFIGURATION)
        .addVirtualHosts(virtualHost)
        .build();
  }
}
