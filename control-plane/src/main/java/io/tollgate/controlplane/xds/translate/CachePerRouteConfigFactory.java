package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import java.util.Map;
import java.util.TreeMap;

/**
 * The route's {@code typed_per_filter_config} that turns on the cache filter and its hit/miss
 * header, both off on the listener. An empty {@code config} means "enabled with the listener's
 * configuration" to Envoy.
 */
final class CachePerRouteConfigFactory {

  Map<String, Any> create() {
    Any enabled = Any.pack(FilterConfig.newBuilder().setConfig(Any.getDefaultInstance()).build());
    Map<String, Any> configs = new TreeMap<>();
    configs.put(EnvoyNames.CACHE_FILTER, enabled);
    configs.put(EnvoyNames.CACHE_STATUS_FILTER, enabled);
    return configs;
  }
}
