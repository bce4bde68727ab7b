package io.tollgate.controlplane.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RateLimit;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.tollgate.controlplane.configfile.GatewayConfig;
import io.tollgate.controlplane.configfile.GatewayConfigParser;
import io.tollgate.controlplane.configfile.RouteSpec;
import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seams other features use: what an extension returns lands where Envoy needs it. */
class TranslatorExtensionTest {

  private static final String YAML =
      """
      upstreams:
        - { name: zeta, url: "https://z.example" }
      routes:
        - { name: items, match: { pathPrefix: /items/ }, upstream: zeta }
        - { name: default, match: { pathPrefix: / }, upstream: zeta }
      """;

  /** Stands in for the rate-limit and access-log features. */
  private static final class Recording implements TranslatorExtension {
    private final String tag;

    Recording(String tag) {
      this.tag = tag;
    }

    @Override
    public List<HttpFilter> httpFilters(TranslatorInput input) {
      return List.of(HttpFilter.newBuilder().setName("filter-" + tag).build());
    }

    @Override
    public List<AccessLog> accessLogs(TranslatorInput input) {
      return List.of(AccessLog.newBuilder().setName("log-" + tag).build());
    }

    @Override
    public void decorateVirtualHost(TranslatorInput input, VirtualHost.Builder virtualHost) {
      virtualHost.addRateLimits(
          RateLimit.newBuilder().setStage(com.google.protobuf.UInt32Value.of(1)));
    }

    @Override
    public void decorateRoute(TranslatorInput input, RouteSpec route, Route.Builder envoyRoute) {
      envoyRoute
          .getRouteBuilder()
          .addRateLimits(RateLimit.newBuilder().setDisableKey(route.name()));
    }

    @Override
    public List<Cluster> clusters(TranslatorInput input) {
      return List.of(Cluster.newBuilder().setName("a-" + tag).build());
    }

    @Override
    public List<RateLimitConfig> rateLimitConfigs(TranslatorInput input) {
      return List.of(
          RateLimitConfig.newBuilder().setName("z-" + tag).setDomain("tollgate").build());
    }
  }

  @Test
  void extensionsAddFiltersBeforeTheRouterAndEverythingElseInPlace() throws Exception {
    GatewayConfig gateway = new GatewayConfigParser().parse("t.yaml", YAML);

    EnvoyResources out =
        new Translator(List.of(new Recording("1"), new Recording("2")))
            .translate(TranslatorInput.of(gateway));

    Any typed = out.listeners().get(0).getFilterChains(0).getFilters(0).getTypedConfig();
    HttpConnectionManager hcm = typed.unpack(HttpConnectionManager.class);
    assertThat(hcm.getHttpFiltersList())
        .extracting(HttpFilter::getName)
        .containsExactly("filter-1", "filter-2", EnvoyNames.ROUTER);
    assertThat(hcm.getAccessLogList())
        .extracting(AccessLog::getName)
        .containsExactly("log-1", "log-2");

    VirtualHost vh = out.routeConfigurations().get(0).getVirtualHosts(0);
    assertThat(vh.getRateLimitsCount()).isEqualTo(2);
    assertThat(vh.getRoutesList())
        .allSatisfy(
            r ->
                assertThat(r.getRoute().getRateLimitsList())
                    .extracting(RateLimit::getDisableKey)
                    .containsExactly(r.getName(), r.getName()));

    assertThat(out.clusters()).extracting(Cluster::getName).containsExactly("a-1", "a-2", "zeta");
    assertThat(out.rateLimitConfigs())
        .extracting(RateLimitConfig::getName)
        .containsExactly("z-1", "z-2");
  }

  @Test
  void withoutExtensionsTheRouterIsTheOnlyFilterAndThereAreNoRateLimitConfigs() throws Exception {
    GatewayConfig gateway = new GatewayConfigParser().parse("t.yaml", YAML);

    EnvoyResources out = new Translator(List.of()).translate(TranslatorInput.of(gateway));

    HttpConnectionManager hcm =
        out.listeners()
            .get(0)
            .getFilterChains(0)
            .getFilters(0)
            .getTypedConfig()
            .unpack(HttpConnectionManager.class);
    assertThat(hcm.getHttpFiltersList())
        .extracting(HttpFilter::getName)
        .containsExactly(EnvoyNames.ROUTER);
    assertThat(hcm.getAccessLogList()).isEmpty();
    assertThat(out.rateLimitConfigs()).isEmpty();
  }
}
