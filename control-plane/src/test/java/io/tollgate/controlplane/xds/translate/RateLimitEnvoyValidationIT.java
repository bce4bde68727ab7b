package io.tollgate.controlplane.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.tollgate.testsupport.Binaries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
    Path config = dir.resolve("envoy.json");
    Files.writeString(
        config,
        JsonFormat.printer()
            .usingTypeRegistry(EnvoyResourcesJson.TYPES)
            .print(Bootstrap.newBuilder().setStaticResources(statics).build()));

    Process envoy =
        new ProcessBuilder(
                Binaries.envoy().toString(), "--mode", "validate", "-c", config.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(envoy.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(envoy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(envoy.exitValue()).as(output).isZero();
    assertThat(output).contains("OK");
  }
}
