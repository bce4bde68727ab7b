package io.tollgate.controlplane.accesslog;

import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.RequestMethod;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.tollgate.controlplane.stats.AccessRecord;
import java.util.List;
import java.util.Locale;

/** Turns an Envoy HTTP access-log entry into the normalized figures the statistics count. */
final class AccessLogMapper {

  /** Where Envoy's HTTP rate-limit filter stores the rate-limit service's dynamic metadata. */
  static final String RATELIMIT_NAMESPACE = "envoy.filters.http.ratelimit";

  /**
   * Where Envoy's {@code rate_limit_quota} filter (the approximate tier) stores the matched bucket
   * id, whose {@code rule} entry names the rule; its 429 carries response flag RFCF, not RL, and
   * these response code details.
   */
  static final String QUOTA_NAMESPACE = "envoy.extensions.http_filters.rate_limit_quota.bucket";

  static final String QUOTA_DETAILS = "rate_limited_by_quota";

  /**
   * Fields the rate-limit service sets over the limit ({@code rule}, {@code limit}, {@code unit}).
   */
  static final String RULE_KEY = "rule";

  static final String LIMIT_KEY = "limit";
  static final String UNIT_KEY = "unit";

  /** The shadow-mode rules whose limit a passed call went over (a list of names). */
  static final String SHADOW_RULES_KEY = "shadowRules";

  /** The rules that counted the call, under or over their limit (a list of names). */
  static final String COUNTED_RULES_KEY = "countedRules";

  /** More rules than this in one list of one call are not counted (a bound on per-entry work). */
  static final int MAX_LISTED_RULES = 16;

  /** Logged by the access-log config so the limit is known even without metadata. */
  static final String LIMIT_HEADER = "x-ratelimit-limit";

  /**
   * The response code details of a 403 from the access lists' RBAC filters (Envoy's wording), the
   * refusing entry's name between the brackets; {@code none} when no allow entry matched.
   */
  static final String ACCESS_DETAILS_PREFIX = "rbac_access_denied_matched_policy[";

  private static final String NONE = "-";

  private AccessLogMapper() {}

  static AccessRecord map(HTTPAccessLogEntry entry) {
    AccessLogCommon common = entry.getCommonProperties();
    int status = entry.getResponse().getResponseCode().getValue();
    Struct ratelimit = common.getMetadata().getFilterMetadataMap().get(RATELIMIT_NAMESPACE);
    boolean quota =
        status == 429 && QUOTA_DETAILS.equals(entry.getResponse().getResponseCodeDetails());
    if (quota) {
      ratelimit = common.getMetadata().getFilterMetadataMap().get(QUOTA_NAMESPACE);
    }
    boolean limited =
        quota || common.getResponseFlags().getRateLimited() || (status == 429 && ratelimit != null);
    String rule = null;
    String limit = null;
    if (limited) {
      rule = field(ratelimit, RULE_KEY);
      limit = field(ratelimit, LIMIT_KEY);
      String unit = field(ratelimit, UNIT_KEY);
      if (limit != null && unit != null) {
        limit = limit + "/" + unit.toLowerCase(Locale.ROOT);
      }
      if (limit == null) {
        limit = entry.getResponse().getResponseHeadersMap().get(LIMIT_HEADER);
      }
    }
    return new AccessRecord(
        status,
        method(entry.getRequest().getRequestMethod()),
        path(entry.getRequest().getPath()),
        clientIp(common),
        orNone(common.getUpstreamCluster()),
        limited,
        rule,
        limit,
        micros(
            common.hasDuration() ? common.getDuration() : common.getTimeToLastDownstreamTxByte()),
        entry.getRequest().getRequestId(),
        common.getStartTime().getSeconds() * 1000 + common.getStartTime().getNanos() / 1_000_000,
        ruleNames(ratelimit, SHADOW_RULES_KEY),
        ruleNames(ratelimit, COUNTED_RULES_KEY),
        status == 403 ? accessEntry(entry.getResponse().getResponseCodeDetails()) : null);
  }

  /** The access entry named in the details of an RBAC 403; null for any other 403. */
  static String accessEntry(String details) {
    if (!details.startsWith(ACCESS_DETAILS_PREFIX) || !details.endsWith("]")) {
      return null;
    }
    String name = details.substring(ACCESS_DETAILS_PREFIX.length(), details.length() - 1);
    return name.length() > AccessRecord.MAX_KEY_LENGTH
        ? name.substring(0, AccessRecord.MAX_KEY_LENGTH)
        : name;
  }

  private static List<String> ruleNames(Struct ratelimit, String key) {
    Value v = ratelimit == null ? null : ratelimit.getFieldsMap().get(key);
    if (v == null || !v.hasListValue()) {
      return List.of();
    }
    return v.getListValue().getValuesList().stream()
        .filter(Value::hasStringValue)
        .map(Value::getStringValue)
        .filter(s -> !s.isEmpty())
        .map(
            s ->
                s.length() > AccessRecord.MAX_KEY_LENGTH
                    ? s.substring(0, AccessRecord.MAX_KEY_LENGTH)
                    : s)
        .limit(MAX_LISTED_RULES)
        .toList();
  }

  /** The path without query string or fragment, cut to a bounded length. */
  static String path(String raw) {
    int end = raw.length();
    for (int i = 0; i < end; i++) {
      char c = raw.charAt(i);
      if (c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    end = Math.min(end, AccessRecord.MAX_KEY_LENGTH);
    if (end == 0) {
      return NONE;
    }
    return end == raw.length() ? raw : raw.substring(0, end);
  }

  private static String method(RequestMethod method) {
    return method == RequestMethod.METHOD_UNSPECIFIED || method == RequestMethod.UNRECOGNIZED
        ? "OTHER"
        : method.name();
  }

  private static String clientIp(AccessLogCommon common) {
    String ip = ip(common.getDownstreamRemoteAddress());
    if (ip.isEmpty()) {
      ip = ip(common.getDownstreamDirectRemoteAddress());
    }
    if (ip.isEmpty()) {
      return NONE;
    }
    return ip.length() > AccessRecord.MAX_KEY_LENGTH
        ? ip.substring(0, AccessRecord.MAX_KEY_LENGTH)
        : ip;
  }

  private static String ip(Address address) {
    return address.getSocketAddress().getAddress();
  }

  private static String field(Struct struct, String key) {
    if (struct == null) {
      return null;
    }
    Value v = struct.getFieldsMap().get(key);
    if (v == null) {
      return null;
    }
    String s =
        switch (v.getKindCase()) {
          case STRING_VALUE -> v.getStringValue();
          case NUMBER_VALUE -> {
            double d = v.getNumberValue();
            yield d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
          }
          default -> null;
        };
    if (s == null || s.isEmpty()) {
      return null;
    }
    return s.length() > AccessRecord.MAX_KEY_LENGTH
        ? s.substring(0, AccessRecord.MAX_KEY_LENGTH)
        : s;
  }

  private static String orNone(String s) {
    return s.isEmpty() ? NONE : s;
  }

  private static long micros(Duration d) {
    return d.getSeconds() * 1_000_000 + d.getNanos() / 1_000;
  }
}
