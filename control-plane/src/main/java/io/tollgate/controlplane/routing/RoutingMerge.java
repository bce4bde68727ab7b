package io.tollgate.controlplane.routing;

import io.tollgate.controlplane.configfile.GatewayConfig;
import io.tollgate.controlplane.configfile.RouteSpec;
import io.tollgate.controlplane.configfile.UpstreamSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The effective upstreams and routes: the file's, then the REST API's whose names the file does not
 * declare (the file wins). Routes match first-wins, so order matters: the file's keep their file
 * order, the REST ones follow in name order. A REST route whose upstream is in neither list (the
 * file dropped it since) is left out rather than failing the file. Pure.
 */
public final class RoutingMerge {

  private RoutingMerge() {}

  public static GatewayConfig merge(
      GatewayConfig file, List<UpstreamSpec> restUpstreams, List<RouteSpec> restRoutes) {
    List<UpstreamSpec> upstreams = new ArrayList<>(file.upstreams());
    Set<String> fileUpstreams = names(file.upstreams(), UpstreamSpec::name);
    restUpstreams.stream()
        .filter(u -> !fileUpstreams.contains(u.name()))
        .sorted(Comparator.comparing(UpstreamSpec::name))
        .forEach(upstreams::add);
    Set<String> known = names(upstreams, UpstreamSpec::name);
    Set<String> fileRoutes = names(file.routes(), RouteSpec::name);
    List<RouteSpec> routes = new ArrayList<>(file.routes());
    restRoutes.stream()
        .filter(r -> !fileRoutes.contains(r.name()) && known.contains(r.upstream()))
        .sorted(Comparator.comparing(RouteSpec::name))
        .forEach(routes::add);
    return new GatewayConfig(file.listener(), upstreams, routes, file.limits(), file.access());
  }

  private static <T> Set<String> names(
      List<T> entries, java.util.function.Function<T, String> name) {
    return entries.stream().map(name).collect(Collectors.toSet());
  }
}
