package io.tollgate.controlplane.routing.store;

import io.tollgate.controlplane.configfile.GatewayConfig;
import io.tollgate.controlplane.configfile.GatewayConfigEntries;
import io.tollgate.controlplane.configfile.RouteSpec;
import io.tollgate.controlplane.configfile.UpstreamSpec;
import io.tollgate.controlplane.routing.RoutingKind;
import io.tollgate.controlplane.routing.RoutingMerge;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The REST upstreams and routes at one version (or as a change would leave them), keyed by {@link
 * RoutingEntryEntity#id}, as their stored JSON.
 */
record RestRouting(long version, SortedMap<String, String> byId) {

  RestRouting {
    byId = new TreeMap<>(byId);
  }

  static String id(RoutingKind kind, String name) {
    return RoutingEntryEntity.id(kind, name);
  }

  RestRouting with(RoutingKind kind, String name, String json) {
    SortedMap<String, String> next = new TreeMap<>(byId);
    next.put(id(kind, name), json);
    return new RestRouting(version, next);
  }

  RestRouting without(RoutingKind kind, String name) {
    SortedMap<String, String> next = new TreeMap<>(byId);
    next.remove(id(kind, name));
    return new RestRouting(version, next);
  }

  List<UpstreamSpec> upstreams(GatewayConfigEntries entries) {
    return of(RoutingKind.UPSTREAM).stream().map(j -> entries.storedUpstream(j).spec()).toList();
  }

  List<RouteSpec> routes(GatewayConfigEntries entries) {
    return of(RoutingKind.ROUTE).stream().map(j -> entries.storedRoute(j).spec()).toList();
  }

  /** The file's gateway with these entries merged in. */
  GatewayConfig over(GatewayConfig file, GatewayConfigEntries entries) {
    return RoutingMerge.merge(file, upstreams(entries), routes(entries));
  }

  /** The stored JSON of one kind, by name. */
  Map<String, String> named(RoutingKind kind) {
    String prefix = id(kind, "");
    SortedMap<String, String> out = new TreeMap<>();
    byId.subMap(prefix, prefix + Character.MAX_VALUE)
        .forEach((id, json) -> out.put(id.substring(prefix.length()), json));
    return out;
  }

  private List<String> of(RoutingKind kind) {
    return List.copyOf(named(kind).values());
  }
}
