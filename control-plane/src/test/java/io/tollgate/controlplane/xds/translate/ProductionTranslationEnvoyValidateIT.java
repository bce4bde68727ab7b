package io.tollgate.controlplane.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real Envoy accepts the snapshot production serves, with every extension production wires (the
 * golden file of {@link ProductionTranslationGoldenTest}): as a static bootstrap with the
 * bootstrap's own {@code tollgate_xds} cluster, which the access log streams to.
 */
class ProductionTranslationEnvoyValidateIT {

  /** Every answer logged (the default), and one in ten of those under 400 (its filter and tag). */
  @ParameterizedTest
  @ValueSource(ints = {1, 10})
  void envoyAcceptsTheProductionSnapshot(int sampleOneIn, @TempDir Path dir) throws Exception {
    EnvoyValidate.Result result =
        EnvoyValidate.run(
            StaticBootstrap.of(
                ProductionTranslation.translate(sampleOneIn), dir, List.of(xdsCluster())),
            dir);
    assertThat(result.ok()).as(result.output()).isTrue();
  }

  /**
   * The bootstrap's gRPC cluster to the control plane: built like the rate-limit cluster (HTTP/2 to
   * loopback endpoints), under its name.
   */
  private static Cluster xdsCluster() {
    String name = "tollgate_xds";
    Cluster.Builder cluster =
        new RateLimitClusterFactory()
                .create(
                    new LimitsInput.RateLimitService(
                        List.of(InetSocketAddress.createUnresolved("127.0.0.1", 18000)),
                        Duration.ofSeconds(1),
                        false,
                        null))
                .toBuilder()
                .setName(name);
    cluster.getLoadAssignmentBuilder().setClusterName(name);
    return cluster.build();
  }
}
