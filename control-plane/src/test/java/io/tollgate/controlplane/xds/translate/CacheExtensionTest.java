package io.tollgate.controlplane.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.tollgate.controlplane.configfile.GatewayConfig;
import io.tollgate.controlplane.configfile.GatewayConfigParser;
import org.junit.jupiter.api.Test;

class CacheExtensionTest {

  private static final String UPSTREAMS =
      "upstreams:\n  - { name: mock, url: http://127.0.0.1:8088 }\nroutes:\n";

  private final CacheExtension extension = new CacheExtension();

  @Test
  void addsNothingWhenNoRouteCaches() throws Exception {
    TranslatorInput input =
        input(UPSTREAMS + "  - { name: default, match: { pathPrefix: / }, upstream: mock }\n");

    assertThat(extension.httpFilters(input)).isEmpty();
    assertThat(extension.clusters(input)).isEmpty();
  }

  @Test
  void cachedRoutesTurnTheFiltersOnAndForwardToTheirTtlCluster() throws Exception {
    TranslatorInput input =
        input(
            UPSTREAMS
                + "  - { name: a, match: { path: /a }, upstream: mock, cache: { ttl: 60s } }\n"
                + "  - { name: b, match: { path: /b }, upstream: mock, cache: { ttl: 1m } }\n"
                + "  - { name: default, match: { pathPrefix: / }, upstream: mock }\n");

    assertThat(extension.httpFilters(input))
        .extracting(HttpFilter::getName, HttpFilter::getDisabled)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(EnvoyNames.CACHE_STATUS_FILTER, true),
            org.assertj.core.groups.Tuple.tuple(EnvoyNames.CACHE_FILTER, true));

    Route cached = decorated(input, 0);
    assertThat(cached.getRoute().getCluster()).isEqualTo("tollgate_cache_60s_mock");
    assertThat(cached.getTypedPerFilterConfigMap())
        .containsOnlyKeys(EnvoyNames.CACHE_FILTER, EnvoyNames.CACHE_STATUS_FILTER);
    Route uncached = decorated(input, 2);
    assertThat(uncached.getRoute().getCluster()).isEqualTo("mock");
    assertThat(uncached.getTypedPerFilterConfigMap()).isEmpty();

    // 60s and 1m are one TTL: one cluster.
    Cluster cluster = extension.clusters(input).get(0);
    assertThat(extension.clusters(input)).hasSize(1);
    assertThat(cluster.getName()).isEqualTo("tollgate_cache_60s_mock");
    assertThat(cluster.getLoadAssignment().getClusterName()).isEqualTo(cluster.getName());
    HttpProtocolOptions options =
        cluster
            .getTypedExtensionProtocolOptionsOrThrow(EnvoyNames.HTTP_PROTOCOL_OPTIONS)
            .unpack(HttpProtocolOptions.class);
    assertThat(options.getHttpFiltersList())
        .extracting(HttpFilter::getName)
        .containsExactly(
            CacheTtlFilterFactory.HEADER_MUTATION, CacheTtlFilterFactory.UPSTREAM_CODEC);
    assertThat(options.getHttpFilters(0).getTypedConfig().toString()).contains("max-age=60");
  }

  @Test
  void cacheClusterNamesMapBackToTheirUpstream() {
    assertThat(CacheClusterNames.upstreamOf("tollgate_cache_60s_api.v2-x")).contains("api.v2-x");
    assertThat(CacheClusterNames.upstreamOf("mock")).isEmpty();
    assertThat(CacheClusterNames.upstreamOf("tollgate_ratelimit")).isEmpty();
  }

  private Route decorated(TranslatorInput input, int index) {
    var spec = input.gateway().routes().get(index);
    var upstream = input.gateway().upstreams().get(0);
    Route.Builder route = new RouteFactory(new RetryPolicyFactory()).create(spec, upstream);
    extension.decorateRoute(input, spec, route);
    return route.build();
  }

  private static TranslatorInput input(String yaml) throws Exception {
    GatewayConfig gateway = new GatewayConfigParser().parse("test.yaml", yaml);
    return TranslatorInput.of(gateway);
  }
}
