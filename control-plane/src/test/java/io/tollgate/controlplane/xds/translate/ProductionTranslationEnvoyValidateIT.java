package io.tollgate.controlplane.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Envoy accepts the snapshot production serves, with every extension production wires (the
 * golden file of {@link ProductionTranslationGoldenTest}): as a static bootstrap with the
 * bootstrap's own {@code tollgate_xds} cluster, which the access log streams to.
 */
class ProductionTranslationEnvoyValidateIT {

  @Test
  void envoyAcceptsTheProductionSnapshot(@TempDir Path dir) throws Exception {
    EnvoyValidate.Result result =
        EnvoyValidate.run(
            StaticBootstrap.of(ProductionTranslation.translate(), dir, List.of(xdsCluster())), dir);
    assertThat(result.ok()).as(result.output()).isTrue();
  }

  /** As {@code envoy/bootstrap.yaml} defines it: HTTP/2 to the control plane's gRPC port. */
  private static Cluster xdsCluster() {
    String name = "tollgate_xds";
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(Durations.fromSeconds(1))
        .putTypedExtensionProtocolOptions(
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
            Any.pack(
                HttpProtocolOptions.newBuilder()
                    .setExplicitHttpConfig(
                        HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                    .build()))
        .setLoadAssignment(
            ClusterLoadAssignment.newBuilder()
                .setClusterName(name)
                .addEndpoints(
                    LocalityLbEndpoints.newBuilder()
                        .addLbEndpoints(
                            LbEndpoint.newBuilder()
                                .setEndpoint(
                                    Endpoint.newBuilder()
                                        .setAddress(
                                            Address.newBuilder()
                                                .setSocketAddress(
                                                    SocketAddress.newBuilder()
                                                        .setAddress("127.0.0.1")
                                                        .setPortValue(18000)))))))
        .build();
  }
}
