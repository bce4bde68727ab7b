package io.tollgate.controlplane.xds.translate;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the clusters cached routes forward to: {@code tollgate_cache_<seconds>s_<upstream>}. The
 * statistics map them back to the upstream's name, so a cached route counts under its upstream.
 * User names cannot start with {@code tollgate_}, so they never clash.
 */
public final class CacheClusterNames {

  private static final String PREFIX = "tollgate_cache_";
  private static final Pattern NAME = Pattern.compile(PREFIX + "\\d+s_(.+)");

  private CacheClusterNames() {}

  static String of(String upstream, Duration ttl) {
    return PREFIX + ttl.toSeconds() + "s_" + upstream;
  }

  /** The upstream a cache cluster forwards to; empty for any other cluster name. */
  public static Optional<String> upstreamOf(String cluster) {
    if (!cluster.startsWith(PREFIX)) {
      return Optional.empty();
    }
    Matcher m = NAME.matcher(cluster);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }
}
