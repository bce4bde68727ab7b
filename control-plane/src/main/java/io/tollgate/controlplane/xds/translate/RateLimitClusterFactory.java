package io.tollgate.controlplane.xds.translate;

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
import java.util.regex.Pattern;

/**
 * The cluster of the rate-limit service: gRPC, so HTTP/2. An IP literal is a static endpoint; a DNS
 * name (e.g. a Kubernetes Service) is re-resolved, so replicas behind it come and go.
 */
final class RateLimitClusterFactory {

  static final String NAME = "tollgate_ratelimit";

  private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|.*:.*");

  Cluster create(LimitsInput.RateLimitService service) {
    boolean literal = IP_LITERAL.matcher(service.address()).matches();
    return Cluster.newBuilder()
        .setName(NAME)
        .setType(literal ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
        .setConnectTimeout(Durations.fromSeconds(1))
        .setLoadAssignment(
            ClusterLoadAssignment.newBuilder()
                .setClusterName(NAME)
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
                                                        .setAddress(service.address())
                                                        .setPortValue(service.port())))))))
        .putTypedExtensionProtocolOptions(
            EnvoyNames.HTTP_PROTOCOL_OPTIONS,
            Any.pack(
                HttpProtocolOptions.newBuilder()
                    .setExplicitHttpConfig(
                        HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                    .build()))
        .build();
  }
}
