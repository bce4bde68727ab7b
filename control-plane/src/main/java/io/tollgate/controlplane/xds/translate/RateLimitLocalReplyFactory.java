package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ResponseFlagFilter;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.LocalReplyConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ResponseMapper;

/**
 * The body of a rate-limited reply: JSON naming the rule. The rate-limit service puts the rule's
 * name into the filter's dynamic metadata ({@value #NAMESPACE}, key {@value #RULE_KEY}); only
 * Envoy's own rate-limit replies (response flag RL) are rewritten, never an upstream's 429.
 */
final class RateLimitLocalReplyFactory {

  static final String NAMESPACE = RateLimitFilterFactory.NAME;
  static final String RULE_KEY = "rule";

  LocalReplyConfig create() {
    Struct body =
        Struct.newBuilder()
            .putFields("error", string("rate_limited"))
            .putFields("rule", string("%DYNAMIC_METADATA(" + NAMESPACE + ":" + RULE_KEY + ")%"))
            .putFields("message", string("Too many requests; retry after the retry-after seconds"))
            .build();
    return LocalReplyConfig.newBuilder()
        .addMappers(
            ResponseMapper.newBuilder()
                .setFilter(
                    AccessLogFilter.newBuilder()
                        .setResponseFlagFilter(ResponseFlagFilter.newBuilder().addFlags("RL")))
                .setBodyFormatOverride(
                    SubstitutionFormatString.newBuilder()
                        .setJsonFormat(body)
                        .setContentType("application/json")))
        .build();
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
