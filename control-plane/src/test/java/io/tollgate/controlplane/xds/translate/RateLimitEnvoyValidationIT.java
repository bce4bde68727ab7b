package io.tollgate.controlplane.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.tollgate.testsupport.TestCa;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real Envoy (1.40) accepts every field and extension the rate-limit translation uses
 * (generic_key, header_value_match with descriptor_key, masked_remote_address, the CEL {@code expr}
 * descriptor, the ratelimit filter, the local reply mapper, the cluster's mutual TLS): the golden
 * snapshot, with its routes inlined and its certificate files made real, passes {@code envoy --mode
 * validate}.
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
    for (Cluster cluster : resources.clusters()) {
      statics.addClusters(withExistingTlsFiles(cluster, dir));
    }
    EnvoyValidate.Result result =
        EnvoyValidate.run(Bootstrap.newBuilder().setStaticResources(statics).build(), dir);
    assertThat(result.ok()).as(result.output()).isTrue();
  }

  /** Envoy loads the certificate files while validating: the golden paths, pointed at real ones. */
  private static Cluster withExistingTlsFiles(Cluster cluster, Path dir) throws Exception {
    if (!cluster.hasTransportSocket()) {
      return cluster;
    }
    TestCa ca = TestCa.create(dir, "ratelimit");
    TestCa.ClientCertificate envoy = ca.issueClientCertificate("envoy", TestCa.ENVOY_ROLE);
    UpstreamTlsContext.Builder tls =
        cluster.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class).toBuilder();
    CommonTlsContext.Builder common = tls.getCommonTlsContextBuilder();
    common.getValidationContextBuilder().setTrustedCa(file(ca.caFile()));
    common
        .getTlsCertificatesBuilder(0)
        .setCertificateChain(file(envoy.certFile()))
        .setPrivateKey(file(envoy.keyFile()));
    Cluster.Builder b = cluster.toBuilder();
    b.getTransportSocketBuilder().setTypedConfig(Any.pack(tls.build()));
    return b.build();
  }

  private static DataSource file(Path path) {
    return DataSource.newBuilder().setFilename(path.toString()).build();
  }
}
