package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.HeadersWithUnderscoresAction;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.CodecType;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.PathWithEscapedSlashesAction;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.ServerHeaderTransformation;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.tollgate.controlplane.configfile.ListenerSpec;
import java.util.List;

/**
 * The hardened HTTP connection manager of the edge listener. Routes come over RDS on the same ADS
 * stream; the HTTP filters and access loggers are handed in by the translator (from its
 * extensions), the router always last.
 */
final class HttpConnectionManagerFactory {

  private final RouterFilterFactory routerFilterFactory;

  HttpConnectionManagerFactory(RouterFilterFactory routerFilterFactory) {
    this.routerFilterFactory = routerFilterFactory;
  }

  /**
   * @param filtersBeforeRouter HTTP filters in the order they run, router excluded
   * @param accessLogs access loggers, possibly none
   */
  HttpConnectionManager create(
      ListenerSpec listener, List<HttpFilter> filtersBeforeRouter, List<AccessLog> accessLogs) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(EnvoyNames.STAT_PREFIX)
        .setCodecType(CodecType.AUTO)
        .setRds(
            Rds.newBuilder()
                .setRouteConfigName(EnvoyNames.ROUTE_CONFIGURATION)
                .setConfigSource(
                    ConfigSource.newBuilder()
                        .setAds(AggregatedConfigSource.getDefaultInstance())
                        .setResourceApiVersion(ApiVersion.V3)))
        .addAllHttpFilters(filtersBeforeRouter)
        .addHttpFilters(routerFilterFactory.create())
        .addAllAccessLog(accessLogs)
        // The client address is the peer address (plus xff_num_trusted_hops proxies in front),
        // never what the client writes into X-Forwarded-For. internal_address_config stays unset:
        // since Envoy 1.36 that trusts no address as internal, so x-envoy-* request headers from
        // any client are stripped.
        .setUseRemoteAddress(BoolValue.of(true))
        .setXffNumTrustedHops(listener.xffNumTrustedHops())
        // One canonical path for routing and rate limiting: /a/../b, //b and /a%2Fb cannot dodge a
        // rule written for /b.
        .setNormalizePath(BoolValue.of(true))
        .setMergeSlashes(true)
        .setPathWithEscapedSlashesAction(PathWithEscapedSlashesAction.UNESCAPE_AND_REDIRECT)
        // Every request gets an x-request-id (a client-sent one is replaced: clients are external),
        // echoed in the response so a client's report can be matched to the access log.
        .setGenerateRequestId(BoolValue.of(true))
        .setAlwaysSetRequestIdInResponse(true)
        // The upstream's server header (software, versions) is replaced, never forwarded.
        .setServerName(EnvoyNames.SERVER_NAME)
        .setServerHeaderTransformation(ServerHeaderTransformation.OVERWRITE)
        // Slow-loris and idle-resource bounds from Envoy's edge guidance.
        .setRequestHeadersTimeout(Durations.fromSeconds(10))
        .setStreamIdleTimeout(Durations.fromSeconds(300))
        .setCommonHttpProtocolOptions(
            HttpProtocolOptions.newBuilder()
                .setIdleTimeout(Durations.fromSeconds(3600))
                .setHeadersWithUnderscoresAction(HeadersWithUnderscoresAction.REJECT_REQUEST))
        .setHttp2ProtocolOptions(
            Http2ProtocolOptions.newBuilder()
                .setMaxConcurrentStreams(UInt32Value.of(100))
                .setInitialStreamWindowSize(UInt32Value.of(64 * 1024))
                .setInitialConnectionWindowSize(UInt32Value.of(1024 * 1024)))
        .build();
  }
}
