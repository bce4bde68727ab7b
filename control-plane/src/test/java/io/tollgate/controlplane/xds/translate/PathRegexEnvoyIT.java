package io.tollgate.controlplane.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.tollgate.controlplane.limits.validation.PathRegexCorpus;
import io.tollgate.controlplane.limits.validation.PathRegexCorpus.Entry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Envoy's own verdict on the gate regex the translator sends for each corpus path regex is the
 * recorded one, and the validator never lets through one Envoy rejects: this fails when Envoy's RE2
 * rules change (a new limit, another encoding, another compiler), so the estimate in {@code
 * com.google.re2j.Re2ProgramSize} is re-measured.
 */
class PathRegexEnvoyIT {

  static List<Entry> entries() throws IOException {
    return PathRegexCorpus.entries();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void envoyAndTheValidatorAgree(Entry entry, @TempDir Path dir) throws Exception {
    EnvoyValidate.Result envoy = EnvoyValidate.run(bootstrap(entry.pattern()), dir);

    assertThat(envoy.ok()).as(envoy.output()).isEqualTo(entry.envoyAccepts());
    if (!envoy.ok()) {
      assertThat(PathRegexCorpus.validatorAccepts(entry.pattern()))
          .as("the validator accepts a regex Envoy rejects")
          .isFalse();
    }
  }

  private static Bootstrap bootstrap(String pathRegex) {
    VirtualHost host =
        VirtualHost.newBuilder()
            .setName("all")
            .addDomains("*")
            .addAllRateLimits(new RateLimitActionsFactory().create(PathRegexCorpus.rule(pathRegex)))
            .addRoutes(
                Route.newBuilder()
                    .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                    .setDirectResponse(DirectResponseAction.newBuilder().setStatus(200)))
            .build();
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("corpus")
            .setRouteConfig(RouteConfiguration.newBuilder().setName("corpus").addVirtualHosts(host))
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.router")
                    .setTypedConfig(Any.pack(Router.getDefaultInstance())))
            .build();
    Listener listener =
        Listener.newBuilder()
            .setName("corpus")
            .setAddress(
                Address.newBuilder()
                    .setSocketAddress(
                        SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(1)))
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName("envoy.filters.network.http_connection_manager")
                            .setTypedConfig(Any.pack(hcm))))
            .build();
    return Bootstrap.newBuilder()
        .setStaticResources(Bootstrap.StaticResources.newBuilder().addListeners(listener))
        .build();
  }
}
