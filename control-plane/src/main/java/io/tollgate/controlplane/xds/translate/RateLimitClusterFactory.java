package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.net.InetSocketAddress;
import java.util.regex.Pattern;

/**
 * The cluster of the rate-limit services: gRPC, so HTTP/2, one endpoint per configured address. IP
 * literals only: static endpoints; any DNS name (e.g. a Kubernetes headless Service): strict DNS,
 * re-resolved, so replicas behind it come and go. A dead replica is left within about a second,
 * before it fails many calls: an active TCP health check every second takes it out on its first
 * refused connection, and a connection failure on a real call ejects it at once (outlier detection
 * on local-origin errors). With TLS settings, the calls are mutual TLS: Envoy presents its client
 * certificate and verifies the services' against the CA and the server name.
 */
final class RateLimitClusterFactory {

  static final String NAME = "tollgate_ratelimit";

  private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|.*:.*");

  private final UpstreamTlsFactory tls = new UpstreamTlsFactory();

  Cluster create(LimitsInput.RateLimitService service) {
    boolean literal =
        service.endpoints().stream().allMatch(e -> IP_LITERAL.matcher(e.getHostString()).matches());
    LocalityLbEndpoints.Builder endpoints = LocalityLbEndpoints.newBuilder();
    for (InetSocketAddress endpoint : service.endpoints()) {
      endpoints.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setEndpoint(
                  Endpoint.newBuilder()
                      .setAddress(
                          Address.newBuilder()
                              .setSocketAddress(
                                  SocketAddress.newBuilder()
                                      .setAddress(endpoint.getHostString())
                                      .setPortValue(endpoint.getPort())))));
    }
    Cluster.Builder cluster =
        Cluster.newBuilder()
            .setName(NAME)
            .setType(literal ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
            .setConnectTimeout(Durations.fromSeconds(1))
            .setLoadAssignment(
                ClusterLoadAssignment.newBuilder().setClusterName(NAME).addEndpoints(endpoints))
            .addHealthChecks(
                HealthCheck.newBuilder()
                    .setTimeout(Durations.fromMillis(500))
                    .setInterval(Durations.fromSeconds(1))
                    // Without traffic Envoy would check only once a minute.
                    .setNoTrafficInterval(Durations.fromSeconds(5))
                    .setUnhealthyThreshold(UInt32Value.of(1))
                    .setHealthyThreshold(UInt32Value.of(1))
                    .setTcpHealthCheck(HealthCheck.TcpHealthCheck.getDefaultInstance()))
            .setOutlierDetection(
                OutlierDetection.newBuilder()
                    .setSplitExternalLocalOriginErrors(true)
                    .setConsecutiveLocalOriginFailure(UInt32Value.of(1))
                    .setEnforcingConsecutiveLocalOriginFailure(UInt32Value.of(100))
                    .setInterval(Durations.fromSeconds(1))
                    .setBaseEjectionTime(Durations.fromSeconds(5))
                    .setMaxEjectionPercent(UInt32Value.of(100)))
            .putTypedExtensionProtocolOptions(
                EnvoyNames.HTTP_PROTOCOL_OPTIONS,
                Any.pack(
                    HttpProtocolOptions.newBuilder()
                        .setExplicitHttpConfig(
                            HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                                .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                        .build()));
    if (service.tls() != null) {
      cluster.setTransportSocket(tls.createMutual(service.tls()));
    }
    return cluster.build();
  }
}
