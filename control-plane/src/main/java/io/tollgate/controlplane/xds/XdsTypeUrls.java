package io.tollgate.controlplane.xds;

import io.envoyproxy.controlplane.cache.Resources;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The resource types served over Tollgate's ADS stream. */
public final class XdsTypeUrls {

  /** What the rate-limit services (the reference one and Tollgate's) fetch. */
  public static final String RATE_LIMIT_CONFIG =
      "type.googleapis.com/ratelimit.config.ratelimit.v3.RateLimitConfig";

  public static final String LISTENER = Resources.V3.LISTENER_TYPE_URL;
  public static final String ROUTE = Resources.V3.ROUTE_TYPE_URL;
  public static final String CLUSTER = Resources.V3.CLUSTER_TYPE_URL;

  private static final Set<String> KNOWN =
      Stream.concat(Resources.V3.TYPE_URLS.stream(), Stream.of(RATE_LIMIT_CONFIG))
          .collect(Collectors.toUnmodifiableSet());

  private XdsTypeUrls() {}

  /** Whether a Tollgate client may legitimately ask for the type (this bounds metric tags). */
  static boolean isKnown(String typeUrl) {
    return KNOWN.contains(typeUrl);
  }
}
