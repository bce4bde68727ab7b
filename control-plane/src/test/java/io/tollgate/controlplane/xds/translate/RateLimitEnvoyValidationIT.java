package io.tollgate.controlplane.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real Envoy (1.40) accepts every field and extension the rate-limit translation uses
 * (generic_key, header_value_match with descriptor_key, masked_remote_address, the CEL {@code expr}
 * descriptor, the ratelimit filter, the local reply mapper): the golden snapshot, with its routes
 * inlined, passes {@code envoy --mode validate}.
 */
class RateLimitEnvoyValidationIT {

  @ParameterizedTest
  @MethodSource("io.tollgate.controlplane.xds.translate.RateLimitGolden#cases")
  void envoyAcceptsTheSnapshot(String name, @TempDir Path dir) throws Exception {
    EnvoyResources resources = RateLimitGolden.translate(name);
    Bootstrap.StaticResources.Builder statics = Bootstrap.StaticResources.newBuilder();
    for (Listener listener : resources.listeners()) {
      Listener.Builder l = listener.toBuilder();
      for (var chain : l.getFilterChainsBuilderList()) {
        for (Filter.Builder f : chain.getFiltersBuilderList()) {
          HttpConnectionManager hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
          f.setTypedConfig(
              Any.pack(
                  hcm.toBuilder()
                      .clearRds()
                      .setRouteConfig(resources.routeConfigurations().get(0))
                      .build()));
        }
      }
      statics.addListeners(l);
    }
    statics.addAllClusters(resources.clusters());
    EnvoyValidate.Result result =
        EnvoyValidate.run(Bootstrap.newBuilder().setStaticResources(statics).build(), dir);
    assertThat(result.ok()).as(result.output()).isTrue();
  }
}
