package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.AndFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ComparisonFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ResponseFlagFilter;
import io.envoyproxy.envoy.config.accesslog.v3.StatusCodeFilter;
import io.envoyproxy.envoy.config.core.v3.RuntimeUInt32;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.LocalReplyConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ResponseMapper;

/**
 * The body of a rate-limited reply: JSON naming the rule. The rate-limit service puts the rule's
 * name into the filter's dynamic metadata ({@value #NAMESPACE}, key {@value #RULE_KEY}); only
 * Envoy's own rate-limit replies (response flag RL, or the quota filter's 429) are rewritten, never
 * an upstream's 429.
 */
final class RateLimitLocalReplyFactory {

  static final String NAMESPACE = RateLimitFilterFactory.NAME;
  static final String RULE_KEY = "rule";

  /**
   * Envoy's quota filter (the approximate tier) stores the bucket id, whose {@code rule} entry
   * names the rule, here; its 429 carries response flag {@value #QUOTA_FLAG}, which Envoy's cache
   * filter (not used by Tollgate) also sets, hence the status in the filter too.
   */
  static final String QUOTA_NAMESPACE = "envoy.extensions.http_filters.rate_limit_quota.bucket";

  static final String QUOTA_FLAG = "RFCF";

  /**
   * @param quota whether the quota filter's replies are rewritten too (only when there are
   *     approximate rules, so the exact tier's configuration stays as it was)
   */
  LocalReplyConfig create(boolean quota) {
    LocalReplyConfig.Builder config =
        LocalReplyConfig.newBuilder()
            .addMappers(
                mapper(
                    AccessLogFilter.newBuilder()
                        .setResponseFlagFilter(ResponseFlagFilter.newBuilder().addFlags("RL"))
                        .build(),
                    NAMESPACE));
    if (!quota) {
      return config.build();
    }
    return config
        .addMappers(
            mapper(
                AccessLogFilter.newBuilder()
                    .setAndFilter(
                        AndFilter.newBuilder()
                            .addFilters(
                                AccessLogFilter.newBuilder()
                                    .setResponseFlagFilter(
                                        ResponseFlagFilter.newBuilder().addFlags(QUOTA_FLAG)))
                            .addFilters(
                                AccessLogFilter.newBuilder()
                                    .setStatusCodeFilter(
                                        StatusCodeFilter.newBuilder()
                                            .setComparison(
                                                ComparisonFilter.newBuilder()
                                                    .setOp(ComparisonFilter.Op.EQ)
                                                    .setValue(
                                                        RuntimeUInt32.newBuilder()
                                                            .setDefaultValue(429)
                                                            .setRuntimeKey(
                                                                "tollgate.quota_reply_status"))))))
                    .build(),
                QUOTA_NAMESPACE))
        .build();
  }

  private static ResponseMapper mapper(AccessLogFilter filter, String namespace) {
    Struct body =
        Struct.newBuilder()
            .putFields("error", string("rate_limited"))
            .putFields("rule", string("%DYNAMIC_METADATA(" + namespace + ":" + RULE_KEY + ")%"))
            .putFields("message", string("Too many requests; retry after the retry-after seconds"))
            .build();
    return ResponseMapper.newBuilder()
        .setFilter(filter)
        .setBodyFormatOverride(
            SubstitutionFormatString.newBuilder()
                .setJsonFormat(body)
                .setContentType("application/json"))
        .build();
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
