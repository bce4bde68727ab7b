package io.tollgate.controlplane.configfile;

import java.time.Duration;

/**
 * Response caching of a route: Envoy's HTTP cache filter keeps GET responses in memory, each Envoy
 * for itself. Also the shape a route created through REST carries.
 *
 * @param ttl how long a response the upstream sent without freshness information ({@code
 *     Cache-Control: max-age}, {@code Expires}) stays fresh: whole seconds, from {@link #MIN_TTL}
 *     to {@link #MAX_TTL}; the upstream's own {@code Cache-Control} wins
 */
public record CacheSpec(Duration ttl) {

  public static final Duration MIN_TTL = Duration.ofSeconds(1);

  /** A day: longer would serve a changed upstream answer for too long to be a proxy default. */
  public static final Duration MAX_TTL = Duration.ofDays(1);

  public CacheSpec {
    if (ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0 || ttl.toMillisPart() != 0) {
      throw new IllegalArgumentException("ttl out of range: " + ttl);
    }
  }
}
