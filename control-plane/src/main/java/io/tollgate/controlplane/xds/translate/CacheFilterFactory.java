package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.extensions.filters.http.cache.v3.CacheConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.http.cache.simple_http_cache.v3.SimpleHttpCacheConfig;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;

/**
 * Envoy's HTTP cache filter with its in-memory store, off by default: only the routes that declare
 * a cache turn it on ({@link CachePerRouteConfigFactory}), so a route without one never caches,
 * whatever Cache-Control its upstream sends.
 */
final class CacheFilterFactory {

  /**
   * Request headers a response may vary on and still be cached (one entry per value). A response
   * varying on anything else (a user id, a cookie, {@code *}) is passed through uncached.
   */
  static final List<String> ALLOWED_VARY_HEADERS =
      List.of("accept", "accept-encoding", "accept-language");

  HttpFilter create() {
    CacheConfig.Builder config =
        CacheConfig.newBuilder()
            .setTypedConfig(Any.pack(SimpleHttpCacheConfig.getDefaultInstance()));
    ALLOWED_VARY_HEADERS.forEach(
        h -> config.addAllowedVaryHeaders(StringMatcher.newBuilder().setExact(h)));
    return HttpFilter.newBuilder()
        .setName(EnvoyNames.CACHE_FILTER)
        .setTypedConfig(Any.pack(config.build()))
        .setDisabled(true)
        .build();
  }
}
