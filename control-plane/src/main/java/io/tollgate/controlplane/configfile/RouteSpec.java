package io.tollgate.controlplane.configfile;

import java.time.Duration;
import java.util.Optional;

/**
 * Sends the requests whose path matches to one upstream.
 *
 * @param name unique; names the Envoy route (stats, logs)
 * @param match which paths
 * @param upstream the name of an {@link UpstreamSpec}
 * @param timeout the whole request's deadline (504 past it); empty: the upstream's timeout
 * @param retries when Envoy retries
 * @param cache the route's response cache; empty: responses are never cached
 */
public record RouteSpec(
    String name,
    PathMatch match,
    String upstream,
    Optional<Duration> timeout,
    RetrySpec retries,
    Optional<CacheSpec> cache) {

  /** A route with the upstream's timeout, the default retries and no response cache. */
  public RouteSpec(String name, PathMatch match, String upstream) {
    this(name, match, upstream, Optional.empty(), RetrySpec.DEFAULT, Optional.empty());
  }
}
