package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.JsonFormat.TypeRegistry;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig;
import io.envoyproxy.envoy.extensions.clusters.dns.v3.DnsCluster;
import io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Envoy resources as JSON, the form of the golden files and of the snapshot dump: readable, and
 * diffable when the translation changes.
 */
public final class EnvoyResourcesJson {

  /**
   * Every type Tollgate packs into an {@code Any}. Adding a message adds its whole .proto file and
   * imports; a type missing here makes printing fail loudly rather than print base64.
   */
  public static final TypeRegistry TYPES =
      TypeRegistry.newBuilder()
          .add(HttpConnectionManager.getDescriptor())
          .add(Router.getDescriptor())
          .add(UpstreamTlsContext.getDescriptor())
          .add(DnsCluster.getDescriptor())
          .add(HttpProtocolOptions.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate
                  .getDescriptor())
          .add(RateLimit.getDescriptor())
          .add(HttpGrpcAccessLogConfig.getDescriptor())
          .add(RateLimitConfig.getDescriptor())
          .add(io.envoyproxy.envoy.config.route.v3.RouteList.getDescriptor())
          .add(io.envoyproxy.envoy.type.matcher.v3.HttpRequestHeaderMatchInput.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.rate_limit_descriptors.expr.v3.Descriptor
                  .getDescriptor())
          // The approximate tier's quota filter and what its bucket matchers pack.
          .add(
              io.envoyproxy.envoy.extensions.filters.http.rate_limit_quota.v3
                  .RateLimitQuotaFilterConfig.getDescriptor())
          .add(io.envoyproxy.envoy.type.matcher.v3.HttpRequestHeaderMatchInput.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.matching.common_inputs.network.v3.SourceIPInput
                  .getDescriptor())
          .add(io.envoyproxy.envoy.extensions.matching.input_matchers.ip.v3.Ip.getDescriptor())
          // The access lists' RBAC filters and their 403 replies' CEL filters.
          .add(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter
                  .getDescriptor())
          .build();

  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(TYPES);

  private EnvoyResourcesJson() {}

  public static String print(EnvoyResources resources) {
    StringBuilder json = new StringBuilder("{\n");
    array(json, "listeners", resources.listeners(), false);
    array(json, "routeConfigurations", resources.routeConfigurations(), false);
    array(json, "clusters", resources.clusters(), false);
    array(json, "rateLimitConfigs", resources.rateLimitConfigs(), true);
    return json.append("}\n").toString();
  }

  private static void array(
      StringBuilder json, String name, List<? extends Message> messages, boolean last) {
    json.append("  \"").append(name).append("\": [");
    for (int i = 0; i < messages.size(); i++) {
      json.append(i == 0 ? "\n    " : ",\n    ")
          .append(print(messages.get(i)).replace("\n", "\n    "));
    }
    json.append(messages.isEmpty() ? "]" : "\n  ]").append(last ? "\n" : ",\n");
  }

  /** One message in Envoy's JSON form, {@code Any} fields expanded with their {@code @type}. */
  public static String print(Message message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException("cannot print " + message.getDescriptorForType(), e);
    }
  }
}
