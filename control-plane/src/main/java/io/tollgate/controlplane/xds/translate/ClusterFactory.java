package io.tollgate.controlplane.xds.translate;

import com.google.common.net.InetAddresses;
import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.cluster.v3.UpstreamConnectionOptions;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TcpKeepalive;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.clusters.common.dns.v3.DnsLookupFamily;
import io.envoyproxy.envoy.extensions.clusters.dns.v3.DnsCluster;
import io.tollgate.controlplane.configfile.UpstreamSpec;

/** The cluster of one upstream: where it is, how to connect, how much load to let through. */
final class ClusterFactory {

  private static final int MAX_CONNECTIONS = 1024;
  private static final int MAX_PENDING_REQUESTS = 1024;
  private static final int MAX_REQUESTS = 1024;
  private static final int MAX_RETRIES = 3;
  private static final int PER_CONNECTION_BUFFER_LIMIT_BYTES = 32 * 1024;

  private final UpstreamTlsFactory tlsFactory;
  private final UpstreamHttpProtocolOptionsFactory protocolOptionsFactory;

  ClusterFactory(
      UpstreamTlsFactory tlsFactory, UpstreamHttpProtocolOptionsFactory protocolOptionsFactory) {
    this.tlsFactory = tlsFactory;
    this.protocolOptionsFactory = protocolOptionsFactory;
  }

  Cluster create(UpstreamSpec upstream, String systemCaFile) {
    boolean ipLiteral = InetAddresses.isInetAddress(upstream.host());
    Cluster.Builder cluster =
        Cluster.newBuilder()
            .setName(upstream.name())
            .setConnectTimeout(Durations.fromMillis(upstream.connectTimeout().toMillis()))
            .setLoadAssignment(loadAssignment(upstream))
            .putTypedExtensionProtocolOptions(
                EnvoyNames.HTTP_PROTOCOL_OPTIONS, Any.pack(protocolOptionsFactory.create()))
            .setCircuitBreakers(circuitBreakers())
            .setOutlierDetection(outlierDetection())
            .setUpstreamConnectionOptions(
                UpstreamConnectionOptions.newBuilder()
                    .setTcpKeepalive(TcpKeepalive.getDefaultInstance()))
            .setPerConnectionBufferLimitBytes(UInt32Value.of(PER_CONNECTION_BUFFER_LIMIT_BYTES));
    if (ipLiteral) {
      cluster.setType(DiscoveryType.STATIC);
    } else {
      // Logical DNS (all addresses in one endpoint): one connection pool to whatever address DNS
      // currently returns, the right model for a large public API behind rotating addresses. The
      // DNS cluster extension replaces the Cluster fields Envoy 1.40 deprecates.
      DnsCluster dns =
          DnsCluster.newBuilder()
              .setAllAddressesInSingleEndpoint(true)
              .setDnsLookupFamily(DnsLookupFamily.V4_PREFERRED)
              .setRespectDnsTtl(true)
              .build();
      cluster.setClusterType(
          Cluster.CustomClusterType.newBuilder()
              .setName(EnvoyNames.DNS_CLUSTER)
              .setTypedConfig(Any.pack(dns)));
    }
    if (upstream.tls()) {
      cluster.setTransportSocket(tlsFactory.create(upstream, systemCaFile));
    }
    return cluster.build();
  }

  private static ClusterLoadAssignment loadAssignment(UpstreamSpec upstream) {
    // The endpoint's hostname is what auto_host_rewrite puts in the Host header.
    Endpoint endpoint =
        Endpoint.newBuilder()
            .setAddress(
                Address.newBuilder()
                    .setSocketAddress(
                        SocketAddress.newBuilder()
                            .setAddress(upstream.host())
                            .setPortValue(upstream.port())))
            .setHostname(upstream.authority())
            .build();
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(upstream.name())
        .addEndpoints(
            LocalityLbEndpoints.newBuilder()
                .addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(endpoint)))
        .build();
  }

  private static CircuitBreakers circuitBreakers() {
    return CircuitBreakers.newBuilder()
        .addThresholds(
            CircuitBreakers.Thresholds.newBuilder()
                .setMaxConnections(UInt32Value.of(MAX_CONNECTIONS))
                .setMaxPendingRequests(UInt32Value.of(MAX_PENDING_REQUESTS))
                .setMaxRequests(UInt32Value.of(MAX_REQUESTS))
                .setMaxRetries(UInt32Value.of(MAX_RETRIES)))
        .build();
  }

  private static OutlierDetection outlierDetection() {
    // Eject on connection-level failures only (refused, reset, timeout, TLS). An upstream's 5xx
    // answers are its own business and pass through unchanged; ejecting on them would turn one
    // failing endpoint path into 503s for every path.
    return OutlierDetection.newBuilder()
        .setSplitExternalLocalOriginErrors(true)
        .setConsecutiveLocalOriginFailure(UInt32Value.of(5))
        .setEnforcingConsecutiveLocalOriginFailure(UInt32Value.of(100))
        .setEnforcingConsecutive5Xx(UInt32Value.of(0))
        .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(0))
        .setEnforcingSuccessRate(UInt32Value.of(0))
        .setEnforcingLocalOriginSuccessRate(UInt32Value.of(0))
        .setInterval(Durations.fromSeconds(10))
        .setBaseEjectionTime(Durations.fromSeconds(30))
        .setMaxEjectionPercent(UInt32Value.of(100))
        .build();
  }
}
