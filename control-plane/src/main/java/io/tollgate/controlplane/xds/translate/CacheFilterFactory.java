package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.extensions.filters.http.cache.v3.CacheConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.http.cache.simple_http_cache.v3.SimpleHttpCacheConfig;

/**
 * Envoy's HTTP cache filter with its in-memory store, off by default: only the routes that declare
 * a cache turn it on ({@link CachePerRouteConfigFactory}), so a route without one never caches,
 * whatever Cache-Control its upstream sends.
 *
 * <p>No {@code allowed_vary_headers}: an answer with any {@code Vary} is passed through uncached.
 * Envoy 1.40 crashed (SIGSEGV) on the first answer whose {@code Vary} named an allowed header
 * (checked with {@code accept-language}, exact and case-insensitive matchers), so serving variants
 * is not safe on this Envoy.
 */
final class CacheFilterFactory {

  HttpFilter create() {
    CacheConfig config =
        CacheConfig.newBuilder()
            .setTypedConfig(Any.pack(SimpleHttpCacheConfig.getDefaultInstance()))
            .build();
    return HttpFilter.newBuilder()
        .setName(EnvoyNames.CACHE_FILTER)
        .setTypedConfig(Any.pack(config))
        .setDisabled(true)
        .build();
  }
}
