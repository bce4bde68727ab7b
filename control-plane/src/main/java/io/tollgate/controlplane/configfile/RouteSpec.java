package io.tollgate.controlplane.configfile;

import java.util.Optional;

/**
 * Sends the requests whose path matches to one upstream.
 *
 * @param name unique; names the Envoy route (stats, logs)
 * @param match which paths
 * @param upstream the name of an {@link UpstreamSpec}
 * @param cache the route's response cache; empty: responses are never cached
 */
public record RouteSpec(String name, PathMatch match, String upstream, Optional<CacheSpec> cache) {

  /** A route without a response cache. */
  public RouteSpec(String name, PathMatch match, String upstream) {
    this(name, match, upstream, Optional.empty());
  }
}
