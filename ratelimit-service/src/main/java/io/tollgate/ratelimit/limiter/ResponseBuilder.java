package io.tollgate.ratelimit.limiter;

import com.google.protobuf.Duration;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import io.tollgate.ratelimit.config.RateLimitPolicy;
import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.ratelimit.stats.ServiceStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the per-descriptor outcomes into the response, as the reference does: the overall code
 * (OVER_LIMIT when an enforced descriptor is over, or when every quota-mode descriptor is), global
 * shadow mode, the optional {@code RateLimit-*} headers of the descriptor closest to its limit, and
 * the optional reference dynamic metadata.
 *
 * <p>Beyond the reference: {@code retry-after} on OVER_LIMIT; dynamic metadata naming the blocking
 * rule ({@code rule}, {@code limit}, {@code unit}, {@code retryAfter}, {@code rules}), the rules
 * over their limit but let through by shadow mode ({@code shadowRules}) and the rules that counted
 * the call ({@code countedRules}); optionally the IETF {@code RateLimit-Policy} / {@code RateLimit}
 * headers.
 */
final class ResponseBuilder {

  /**
   * The descriptor key a rule's chain starts with ({@code rule=<name>}), as the control plane
   * writes it.
   */
  static final String RULE_KEY = "rule";

  /** At most this many rules are named in {@code countedRules} (a bound on per-call work). */
  static final int MAX_COUNTED_RULES = 16;

  private static final DescriptorStatus NO_LIMIT =
      DescriptorStatus.newBuilder().setCode(Code.OK).build();
  private static final DescriptorStatus UNLIMITED =
      DescriptorStatus.newBuilder().setCode(Code.OK).setLimitRemaining(-1).build();

  private final Settings.Responses settings;
  private final Settings.Limits limits;
  private final ServiceStats stats;

  ResponseBuilder(Settings.Responses settings, Settings.Limits limits, ServiceStats stats) {
    this.settings = settings;
    this.limits = limits;
    this.stats = stats;
  }

  /**
   * @param counted false for a peek, whose global shadow-mode answer is not a real one
   */
  RateLimitResponse build(RateLimitRequest request, Outcome[] outcomes, boolean counted) {
    RateLimitResponse.Builder response = RateLimitResponse.newBuilder();
    int n = outcomes.length;
    boolean[] quota = new boolean[n];
    int quotaCount = 0;
    int quotaOver = 0;
    boolean failed = false;
    int closest = -1;
    long closestRemaining = Long.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      Outcome o = outcomes[i];
      response.addStatuses(status(o));
      if (o.policy() != null && o.remaining() < closestRemaining) {
        closest = i;
        closestRemaining = o.remaining();
      }
      if (o.unlimited()) {
        continue;
      }
      quota[i] = limits.globalQuotaMode() || (o.policy() != null && o.policy().quotaMode());
      if (quota[i]) {
        quotaCount++;
        if (o.enforced()) {
          quotaOver++;
        }
      } else if (o.enforced()) {
        failed = true;
        closest = i;
        closestRemaining = 0;
      }
    }
    boolean quotaExhausted = quotaCount > 0 && quotaOver == quotaCount;
    boolean over = failed || quotaExhausted;
    boolean globallyShadowed = over && limits.globalShadowMode();
    if (globallyShadowed && counted) {
      stats.globalShadowMode();
    }
    Code code = over && !globallyShadowed ? Code.OVER_LIMIT : Code.OK;
    response.setOverallCode(code);

    if (settings.limitHeaders() && closest >= 0) {
      Outcome c = outcomes[closest];
      response.addResponseHeadersToAdd(
          header(settings.limitHeader(), c.policy().requestsPerUnit()));
      response.addResponseHeadersToAdd(header(settings.remainingHeader(), c.remaining()));
      response.addResponseHeadersToAdd(header(settings.resetHeader(), c.resetSeconds()));
    }
    // Allocated only for calls that have something over its limit: most calls have nothing.
    List<Integer> blocking = List.of();
    List<String> shadowRules = List.of();
    long retryAfter = 0;
    for (int i = 0; i < n; i++) {
      Outcome o = outcomes[i];
      boolean blocks = o.enforced() && (!quota[i] || quotaExhausted);
      if (blocks && !globallyShadowed) {
        blocking = blocking.isEmpty() ? new ArrayList<>(n) : blocking;
        blocking.add(i);
        retryAfter = Math.max(retryAfter, o.resetSeconds());
      } else if (o.overLimit() && (blocks || o.policy().shadowMode())) {
        shadowRules = shadowRules.isEmpty() ? new ArrayList<>(n) : shadowRules;
        shadowRules.add(o.policy().ruleName());
      }
    }
    if (code == Code.OVER_LIMIT && settings.retryAfter()) {
      response.addResponseHeadersToAdd(header("retry-after", retryAfter));
    }
    if (settings.ietfHeaders() && closest >= 0) {
      Outcome c = outcomes[closest];
      String name = sfString(c.policy().ruleName());
      response.addResponseHeadersToAdd(
          HeaderValue.newBuilder()
              .setKey("RateLimit-Policy")
              .setValue(
                  name + ";q=" + c.policy().requestsPerUnit() + ";w=" + c.policy().unit().seconds())
              .build());
      response.addResponseHeadersToAdd(
          HeaderValue.newBuilder()
              .setKey("RateLimit")
              .setValue(name + ";r=" + c.remaining() + ";t=" + c.resetSeconds())
              .build());
    }

    // The rules that counted the call (the console's hits) ride on every call a rule counted.
    List<String> countedRules =
        settings.overLimitMetadata() && counted ? countedRules(request, outcomes) : List.of();
    boolean overLimitMetadata =
        settings.overLimitMetadata()
            && (!blocking.isEmpty() || !shadowRules.isEmpty() || !countedRules.isEmpty());
    if (!settings.referenceDynamicMetadata() && !overLimitMetadata) {
      return response.build();
    }
    Struct.Builder metadata = Struct.newBuilder();
    if (settings.referenceDynamicMetadata()) {
      referenceMetadata(request, outcomes, quota, metadata);
    }
    if (overLimitMetadata) {
      if (!blocking.isEmpty()) {
        RateLimitPolicy first = outcomes[blocking.get(0)].policy();
        metadata.putFields("rule", string(first.ruleName()));
        metadata.putFields("limit", number(first.requestsPerUnit()));
        metadata.putFields("unit", string(first.unit().name()));
        metadata.putFields("retryAfter", number(retryAfter));
        ListValue.Builder rules = ListValue.newBuilder();
        blocking.forEach(i -> rules.addValues(string(outcomes[i].policy().ruleName())));
        metadata.putFields("rules", Value.newBuilder().setListValue(rules).build());
      }
      if (!shadowRules.isEmpty()) {
        metadata.putFields("shadowRules", names(shadowRules));
      }
      if (!countedRules.isEmpty()) {
        metadata.putFields("countedRules", names(countedRules));
      }
    }
    if (metadata.getFieldsCount() > 0) {
      response.setDynamicMetadata(metadata);
    }
    return response.build();
  }

  /**
   * The rules whose descriptors this call counted, under or over their limit: each descriptor with
   * a limit whose chain starts with {@code rule=<name>}, deduplicated (a rule with several source
   * ranges has one chain per range), at most {@link #MAX_COUNTED_RULES}. The list is allocated only
   * once a descriptor names a rule.
   */
  private static List<String> countedRules(RateLimitRequest request, Outcome[] outcomes) {
    List<String> names = List.of();
    for (int i = 0; i < outcomes.length && names.size() < MAX_COUNTED_RULES; i++) {
      if (outcomes[i].policy() == null) {
        continue;
      }
      RateLimitDescriptor d = request.getDescriptors(i);
      if (d.getEntriesCount() == 0 || !RULE_KEY.equals(d.getEntries(0).getKey())) {
        continue;
      }
      String name = d.getEntries(0).getValue();
      if (name.isEmpty() || names.contains(name)) {
        continue;
      }
      if (names.isEmpty()) {
        names = new ArrayList<>(Math.min(outcomes.length, MAX_COUNTED_RULES));
      }
      names.add(name);
    }
    return names;
  }

  private static Value names(List<String> names) {
    ListValue.Builder list = ListValue.newBuilder();
    names.forEach(r -> list.addValues(string(r)));
    return Value.newBuilder().setListValue(list).build();
  }

  private static DescriptorStatus status(Outcome o) {
    if (o.unlimited()) {
      return UNLIMITED;
    }
    if (o.policy() == null) {
      return NO_LIMIT;
    }
    return DescriptorStatus.newBuilder()
        .setCode(o.enforced() ? Code.OVER_LIMIT : Code.OK)
        .setCurrentLimit(o.policy().proto())
        .setLimitRemaining((int) Math.min(o.remaining(), 0xFFFF_FFFFL))
        .setDurationUntilReset(Duration.newBuilder().setSeconds(o.resetSeconds()))
        .build();
  }

  /**
   * The reference's {@code RESPONSE_DYNAMIC_METADATA} fields: domain, descriptors, hitsAddend,
   * quota-mode flags, and the configured {@code metadata} of the descriptors that passed.
   */
  private static void referenceMetadata(
      RateLimitRequest request, Outcome[] outcomes, boolean[] quota, Struct.Builder out) {
    out.putFields("domain", string(request.getDomain()));
    ListValue.Builder descriptors = ListValue.newBuilder();
    for (RateLimitDescriptor d : request.getDescriptorsList()) {
      ListValue.Builder entries = ListValue.newBuilder();
      d.getEntriesList().forEach(e -> entries.addValues(string(e.getKey() + "=" + e.getValue())));
      Struct.Builder s = Struct.newBuilder();
      s.putFields("entries", Value.newBuilder().setListValue(entries).build());
      if (d.hasLimit()) {
        s.putFields("limit", string(d.getLimit().toString()));
      }
      if (d.hasHitsAddend()) {
        s.putFields("hitsAddend", number(d.getHitsAddend().getValue()));
      }
      descriptors.addValues(Value.newBuilder().setStructValue(s));
    }
    out.putFields("descriptors", Value.newBuilder().setListValue(descriptors).build());
    if (request.getHitsAddend() != 0) {
      out.putFields("hitsAddend", number(Integer.toUnsignedLong(request.getHitsAddend())));
    }
    boolean quotaEnabled = false;
    ListValue.Builder violations = ListValue.newBuilder();
    Struct.Builder passedMetadata = Struct.newBuilder();
    for (int i = 0; i < outcomes.length; i++) {
      Outcome o = outcomes[i];
      quotaEnabled |= quota[i] && o.policy() != null;
      if (quota[i] && o.enforced()) {
        violations.addValues(number(i));
      }
      if (!o.enforced() && o.policy() != null) {
        merge(passedMetadata, o.policy().metadata());
      }
    }
    out.putFields("quotaModeEnabled", Value.newBuilder().setBoolValue(quotaEnabled).build());
    if (violations.getValuesCount() > 0) {
      out.putFields("quotaModeViolations", Value.newBuilder().setListValue(violations).build());
    }
    if (passedMetadata.getFieldsCount() > 0) {
      out.putFields("metadata", Value.newBuilder().setStructValue(passedMetadata).build());
    }
  }

  /** Adds {@code src} into {@code dest}; nested structs merge, the first value of a key wins. */
  private static void merge(Struct.Builder dest, Struct src) {
    for (Map.Entry<String, Value> e : src.getFieldsMap().entrySet()) {
      Value existing = dest.getFieldsMap().get(e.getKey());
      if (existing == null) {
        dest.putFields(e.getKey(), e.getValue());
      } else if (existing.hasStructValue() && e.getValue().hasStructValue()) {
        Struct.Builder nested = existing.getStructValue().toBuilder();
        merge(nested, e.getValue().getStructValue());
        dest.putFields(e.getKey(), Value.newBuilder().setStructValue(nested).build());
      }
    }
  }

  private static HeaderValue header(String key, long value) {
    return HeaderValue.newBuilder().setKey(key).setValue(Long.toString(value)).build();
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  private static Value number(long v) {
    return Value.newBuilder().setNumberValue(v).build();
  }

  /** A structured-field string (RFC 8941): printable ASCII, quotes and backslashes escaped. */
  private static String sfString(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        b.append(c);
      } else {
        b.append('_');
      }
    }
    return b.append('"').toString();
  }
}
