package io.tollgate.controlplane.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.tollgate.controlplane.configfile.GatewayConfigParser;
import io.tollgate.testsupport.EnvoyValidation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real Envoy binary accepts what the translator produces: each golden case becomes a static
 * bootstrap (routes inlined instead of RDS, CA files pointed at a bundle that exists here) checked
 * with {@code envoy --mode validate}. Golden files pin the output; this pins that Envoy takes it.
 */
class TranslatorEnvoyValidateIT {

  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  private static final String EXISTING_CA = "/etc/ssl/certs/ca-certificates.crt";

  @TempDir Path dir;

  static List<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(GOLDEN)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".in.yaml"))
          .map(n -> n.substring(0, n.length() - ".in.yaml".length()))
          .sorted()
          .toList();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void envoyAcceptsTheTranslation(String name) throws Exception {
    String yaml = Files.readString(GOLDEN.resolve(name + ".in.yaml"));
    EnvoyResources resources =
        new Translator(List.of())
            .translate(TranslatorInput.of(new GatewayConfigParser().parse(name, yaml)));
    Path bootstrap = dir.resolve(name + ".json");
    Files.writeString(
        bootstrap,
        JsonFormat.printer()
            .usingTypeRegistry(EnvoyResourcesJson.TYPES)
            .print(bootstrap(resources)));

    EnvoyValidation validation = EnvoyValidation.of(bootstrap, 60);
    assertThat(validation.exited()).isTrue();
    assertThat(validation.exitCode()).as(validation.output()).isZero();
  }

  private static Bootstrap bootstrap(EnvoyResources resources) throws Exception {
    Bootstrap.StaticResources.Builder statics = Bootstrap.StaticResources.newBuilder();
    for (Listener listener : resources.listeners()) {
      statics.addListeners(inlineRoutes(listener, resources));
    }
    for (Cluster cluster : resources.clusters()) {
      statics.addClusters(withExistingCa(cluster));
    }
    return Bootstrap.newBuilder()
        .setNode(Node.newBuilder().setId("validate").setCluster("tollgate"))
        .setStaticResources(statics)
        .build();
  }

  private static Listener inlineRoutes(Listener listener, EnvoyResources resources)
      throws Exception {
    Listener.Builder b = listener.toBuilder();
    var filter = b.getFilterChainsBuilder(0).getFiltersBuilder(0);
    HttpConnectionManager hcm = filter.getTypedConfig().unpack(HttpConnectionManager.class);
    assertThat(hcm.getRds().getRouteConfigName())
        .isEqualTo(resources.routeConfigurations().get(0).getName());
    filter.setTypedConfig(
        Any.pack(
            hcm.toBuilder()
                .clearRds()
                .setRouteConfig(resources.routeConfigurations().get(0))
                .build()));
    return b.build();
  }

  /** The cluster's TLS, and each endpoint host's (transport socket matches), on a CA file here. */
  private static Cluster withExistingCa(Cluster cluster) throws Exception {
    if (!cluster.hasTransportSocket()) {
      return cluster;
    }
    Cluster.Builder b = cluster.toBuilder();
    withExistingCa(b.getTransportSocketBuilder());
    for (Cluster.TransportSocketMatch.Builder match : b.getTransportSocketMatchesBuilderList()) {
      withExistingCa(match.getTransportSocketBuilder());
    }
    return b.build();
  }

  private static void withExistingCa(TransportSocket.Builder socket) throws Exception {
    UpstreamTlsContext.Builder tls =
        socket.getTypedConfig().unpack(UpstreamTlsContext.class).toBuilder();
    tls.getCommonTlsContextBuilder()
        .getValidationContextBuilder()
        .setTrustedCa(DataSource.newBuilder().setFilename(EXISTING_CA));
    socket.setTypedConfig(Any.pack(tls.build()));
  }
}
