package io.tollgate.controlplane.xds.translate;

import com.google.common.net.InetAddresses;
import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType;
import io.envoyproxy.envoy.config.cluster.v3.UpstreamConnectionOptions;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TcpKeepalive;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.clusters.common.dns.v3.DnsLookupFamily;
import io.envoyproxy.envoy.extensions.clusters.dns.v3.DnsCluster;
import io.tollgate.controlplane.configfile.RetrySpec;
import io.tollgate.controlplane.configfile.UpstreamEndpoint;
import io.tollgate.controlplane.configfile.UpstreamSpec;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** The cluster of one upstream: where it is, how to connect, how much load to let through. */
final class ClusterFactory {

  private static final int PER_CONNECTION_BUFFER_LIMIT_BYTES = 32 * 1024;

  // The endpoint metadata key its TLS settings are chosen by (SNI and SAN are per host).
  private static final String TLS_HOST_KEY = "host";

  private final UpstreamTlsFactory tlsFactory;
  private final UpstreamHttpProtocolOptionsFactory protocolOptionsFactory;
  private final CircuitBreakersFactory circuitBreakersFactory;
  private final OutlierDetectionFactory outlierDetectionFactory;
  private final HealthCheckFactory healthCheckFactory;

  ClusterFactory(
      UpstreamTlsFactory tlsFactory,
      UpstreamHttpProtocolOptionsFactory protocolOptionsFactory,
      CircuitBreakersFactory circuitBreakersFactory,
      OutlierDetectionFactory outlierDetectionFactory,
      HealthCheckFactory healthCheckFactory) {
    this.tlsFactory = tlsFactory;
    this.protocolOptionsFactory = protocolOptionsFactory;
    this.circuitBreakersFactory = circuitBreakersFactory;
    this.outlierDetectionFactory = outlierDetectionFactory;
    this.healthCheckFactory = healthCheckFactory;
  }

  /**
   * @param retryBudget the budget the upstream's routes ask for, if any
   */
  Cluster create(
      UpstreamSpec upstream, Optional<RetrySpec.RetryBudget> retryBudget, String systemCaFile) {
    List<String> tlsHosts = tlsHosts(upstream);
    Cluster.Builder cluster =
        Cluster.newBuilder()
            .setName(upstream.name())
            .setConnectTimeout(Durations.fromMillis(upstream.connectTimeout().toMillis()))
            .setLoadAssignment(loadAssignment(upstream, tlsHosts.size() > 1))
            .putTypedExtensionProtocolOptions(
                EnvoyNames.HTTP_PROTOCOL_OPTIONS, Any.pack(protocolOptionsFactory.create()))
            .setCircuitBreakers(
                circuitBreakersFactory.create(upstream.circuitBreaker(), retryBudget))
            .setOutlierDetection(outlierDetectionFactory.create(upstream.outlierDetection()))
            .setUpstreamConnectionOptions(
                UpstreamConnectionOptions.newBuilder()
                    .setTcpKeepalive(TcpKeepalive.getDefaultInstance()))
            .setPerConnectionBufferLimitBytes(UInt32Value.of(PER_CONNECTION_BUFFER_LIMIT_BYTES));
    upstream.healthCheck().ifPresent(h -> cluster.addHealthChecks(healthCheckFactory.create(h)));
    discovery(upstream, cluster);
    if (upstream.tls()) {
      cluster.setTransportSocket(
          tlsFactory.create(upstream, upstream.endpoints().get(0).host(), systemCaFile));
      // Endpoints on other hosts get their own SNI and SAN, chosen by their metadata.
      if (tlsHosts.size() > 1) {
        for (String host : tlsHosts) {
          cluster.addTransportSocketMatches(
              Cluster.TransportSocketMatch.newBuilder()
                  .setName(host)
                  .setMatch(hostStruct(host))
                  .setTransportSocket(tlsFactory.create(upstream, host, systemCaFile)));
        }
      }
    }
    return cluster.build();
  }

  /** The distinct hosts of an https upstream, sorted; none for plain HTTP. */
  private static List<String> tlsHosts(UpstreamSpec upstream) {
    if (!upstream.tls()) {
      return List.of();
    }
    TreeSet<String> hosts = new TreeSet<>();
    upstream.endpoints().forEach(e -> hosts.add(e.host()));
    return List.copyOf(hosts);
  }

  private static void discovery(UpstreamSpec upstream, Cluster.Builder cluster) {
    boolean ipLiterals =
        upstream.endpoints().stream().allMatch(e -> InetAddresses.isInetAddress(e.host()));
    if (ipLiterals) {
      cluster.setType(DiscoveryType.STATIC);
      return;
    }
    // One named endpoint: logical DNS (all addresses in one endpoint), one connection pool to
    // whatever address DNS currently returns, the right model for a large public API behind
    // rotating addresses. Several: strict DNS, every resolved address a host of its own, so each
    // endpoint is balanced, ejected and health-checked apart. The DNS cluster extension replaces
    // the Cluster fields Envoy 1.40 deprecates.
    DnsCluster dns =
        DnsCluster.newBuilder()
            .setAllAddressesInSingleEndpoint(upstream.endpoints().size() == 1)
            .setDnsLookupFamily(DnsLookupFamily.V4_PREFERRED)
            .setRespectDnsTtl(true)
            .build();
    cluster.setClusterType(
        Cluster.CustomClusterType.newBuilder()
            .setName(EnvoyNames.DNS_CLUSTER)
            .setTypedConfig(Any.pack(dns)));
  }

  private static ClusterLoadAssignment loadAssignment(UpstreamSpec upstream, boolean tlsPerHost) {
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    for (UpstreamEndpoint e : upstream.endpoints()) {
      String authority = e.authority(upstream.tls());
      // The endpoint's hostname is what auto_host_rewrite puts in the Host header.
      Endpoint.Builder endpoint =
          Endpoint.newBuilder()
              .setAddress(
                  Address.newBuilder()
                      .setSocketAddress(
                          SocketAddress.newBuilder().setAddress(e.host()).setPortValue(e.port())))
              .setHostname(authority);
      if (upstream.healthCheck().isPresent()) {
        // Health checks send the cluster's name as Host unless the endpoint says otherwise.
        endpoint.setHealthCheckConfig(
            Endpoint.HealthCheckConfig.newBuilder().setHostname(authority));
      }
      LbEndpoint.Builder lbEndpoint = LbEndpoint.newBuilder().setEndpoint(endpoint);
      if (tlsPerHost) {
        lbEndpoint.setMetadata(
            Metadata.newBuilder()
                .putFilterMetadata(EnvoyNames.TRANSPORT_SOCKET_MATCH, hostStruct(e.host())));
      }
      locality.addLbEndpoints(lbEndpoint);
    }
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(upstream.name())
        .addEndpoints(locality)
        .build();
  }

  private static Struct hostStruct(String host) {
    return Struct.newBuilder()
        .putFields(TLS_HOST_KEY, Value.newBuilder().setStringValue(host).build())
        .build();
  }
}
