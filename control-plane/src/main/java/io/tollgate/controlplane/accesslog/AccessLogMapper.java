package io.tollgate.controlplane.accesslog;

import io.envoyproxy.envoy.config.core.v3.RequestMethod;
import io.tollgate.controlplane.stats.AccessRecord;
import io.tollgate.controlplane.xds.translate.CacheClusterNames;
import io.tollgate.controlplane.xds.translate.EnvoyNames;
import java.util.List;
import java.util.Locale;

/**
 * Turns the fields of an Envoy HTTP access-log entry ({@link AccessLogWire} reads them) into the
 * normalized figures the statistics count.
 */
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
   * How an RBAC 403 names the access entry that refused the call ({@code none}: no allow entry
   * matched): {@code rbac_access_denied_matched_policy[<name>]}.
   */
  static final String ACCESS_DETAILS_PREFIX = "rbac_access_denied_matched_policy[";

  private static final String NONE = "-";

  private AccessLogMapper() {}

  static AccessRecord map(EntryFields e) {
    int status = e.status;
    RateLimitFields ratelimit = e.ratelimit;
    boolean quota = status == 429 && QUOTA_DETAILS.equals(e.responseCodeDetails);
    if (quota) {
      ratelimit = e.quota;
    }
    boolean limited = quota || e.rateLimitedFlag || (status == 429 && ratelimit != null);
    String rule = null;
    String limit = null;
    if (limited) {
      rule = ratelimit == null ? null : cut(ratelimit.rule);
      limit = ratelimit == null ? null : cut(ratelimit.limit);
      String unit = ratelimit == null ? null : cut(ratelimit.unit);
      if (limit != null && unit != null) {
        limit = limit + "/" + unit.toLowerCase(Locale.ROOT);
      }
      if (limit == null) {
        limit = e.responseHeaders.get(LIMIT_HEADER);
      }
    }
    return new AccessRecord(
        status,
        method(e.method),
        path(e.path),
        clientIp(e),
        upstream(e.upstreamCluster),
        limited,
        rule,
        limit,
        e.durationMicros >= 0 ? e.durationMicros : e.lastByteMicros,
        e.requestId,
        e.startMillis,
        ruleNames(ratelimit == null ? List.of() : ratelimit.shadowRules),
        ruleNames(ratelimit == null ? List.of() : ratelimit.countedRules),
        EnvoyNames.CACHE_HIT_DETAILS.equals(e.responseCodeDetails),
        status == 403 ? accessEntry(e.responseCodeDetails) : null,
        // Answers from ALWAYS_LOGGED_FROM up are all logged; the others one in sampleOneIn.
        status >= GrpcAccessLogFactory.ALWAYS_LOGGED_FROM ? 1 : e.sampleOneIn);
  }

  /** A cached route's cache cluster counts under the upstream it forwards to. */
  private static String upstream(String cluster) {
    return CacheClusterNames.upstreamOf(cluster).orElseGet(() -> orNone(cluster));
  }

  /** The access entry named in the details of an RBAC 403; null for any other 403. */
  static String accessEntry(String details) {
    if (details == null || !details.startsWith(ACCESS_DETAILS_PREFIX) || !details.endsWith("]")) {
      return null;
    }
    return cut(details.substring(ACCESS_DETAILS_PREFIX.length(), details.length() - 1));
  }

  /** Names cut to the key length (the wire reader keeps at most {@link #MAX_LISTED_RULES}). */
  private static List<String> ruleNames(List<String> names) {
    if (names.isEmpty()) {
      return List.of();
    }
    return names.stream().map(AccessLogMapper::cut).toList();
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

  private static String method(int number) {
    RequestMethod method = RequestMethod.forNumber(number);
    return method == null || method == RequestMethod.METHOD_UNSPECIFIED ? "OTHER" : method.name();
  }

  private static String clientIp(EntryFields e) {
    String ip = e.remoteIp.isEmpty() ? e.directRemoteIp : e.remoteIp;
    return ip.isEmpty() ? NONE : cut(ip);
  }

  /** Null for null or empty; else at most {@link AccessRecord#MAX_KEY_LENGTH} characters. */
  private static String cut(String s) {
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
}
