package io.tollgate.controlplane.xds.translate;

import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.tollgate.controlplane.configfile.RouteSpec;
import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import java.util.List;

/**
 * The seam through which a feature (rate limits, access logs, ...) adds to the translation without
 * editing the translator: implement the hooks you need, register the extension as a Spring bean
 * (order them with {@code @Order}), and read your state from a component you added to {@link
 * TranslatorInput}. Like the translator, an extension must be pure: no I/O, no clock, the same
 * output for the same input.
 */
public interface TranslatorExtension {

  /** HTTP filters placed, in order, before the router on the listener's connection manager. */
  default List<HttpFilter> httpFilters(TranslatorInput input) {
    return List.of();
  }

  /** Adds to the listener's connection manager, e.g. a {@code local_reply_config}. */
  default void decorateConnectionManager(
      TranslatorInput input, HttpConnectionManager.Builder connectionManager) {}

  /** Access loggers of the listener's connection manager. */
  default List<AccessLog> accessLogs(TranslatorInput input) {
    return List.of();
  }

  /** Adds to the one virtual host, e.g. {@code rate_limits} that apply to every route. */
  default void decorateVirtualHost(TranslatorInput input, VirtualHost.Builder virtualHost) {}

  /** Adds to the Envoy route built from {@code route}, e.g. {@code route.rate_limits}. */
  default void decorateRoute(TranslatorInput input, RouteSpec route, Route.Builder envoyRoute) {}

  /** Extra clusters, e.g. the rate-limit service. Names must not clash with upstream names. */
  default List<Cluster> clusters(TranslatorInput input) {
    return List.of();
  }

  /** Resources the rate-limit services fetch over ADS. */
  default List<RateLimitConfig> rateLimitConfigs(TranslatorInput input) {
    return List.of();
  }
}
