package io.tollgate.controlplane.xds.translate;

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
import java.util.List;

/**
 * A snapshot as a static bootstrap Envoy can check with {@code --mode validate}: routes inlined
 * instead of RDS, and the certificate files the clusters name pointed at real ones (Envoy loads
 * them while validating).
 */
final class StaticBootstrap {

  private StaticBootstrap() {}

  /**
   * @param bootstrapClusters clusters the real bootstrap defines (e.g. {@code tollgate_xds}, which
   *     the access log streams to)
   */
  static Bootstrap of(EnvoyResources resources, Path dir, List<Cluster> bootstrapClusters)
      throws Exception {
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
    statics.addAllClusters(bootstrapClusters);
    return Bootstrap.newBuilder().setStaticResources(statics).build();
  }

  /** The golden paths of a cluster's certificates, pointed at files of a fresh test CA. */
  private static Cluster withExistingTlsFiles(Cluster cluster, Path dir) throws Exception {
    if (!cluster.hasTransportSocket()) {
      return cluster;
    }
    TestCa ca = TestCa.create(dir, "validate-" + cluster.getName());
    UpstreamTlsContext.Builder tls =
        cluster.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class).toBuilder();
    CommonTlsContext.Builder common = tls.getCommonTlsContextBuilder();
    common.getValidationContextBuilder().setTrustedCa(file(ca.caFile()));
    if (common.getTlsCertificatesCount() > 0) {
      TestCa.ClientCertificate envoy = ca.issueClientCertificate("envoy", TestCa.ENVOY_ROLE);
      common
          .getTlsCertificatesBuilder(0)
          .setCertificateChain(file(envoy.certFile()))
          .setPrivateKey(file(envoy.keyFile()));
    }
    Cluster.Builder b = cluster.toBuilder();
    b.getTransportSocketBuilder().setTypedConfig(Any.pack(tls.build()));
    return b.build();
  }

  private static DataSource file(Path path) {
    return DataSource.newBuilder().setFilename(path.toString()).build();
  }
}
