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
 * rule ({@code rule}, {@code limit}, {@code unit}, {@code retryAfter}, {@code rules}) and the rules
 * over their limit but let through by shadow mode ({@code shadowRules}); optionally the IETF {@code
 * RateLimit-Policy} / {@code RateLimit} headers.
 */
final class ResponseBuilder {

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
    List<Integer> blocking = new ArrayList<>();
    List<String> shadowRules = new ArrayList<>();
    long retryAfter = 0;
    for (int i = 0; i < n; i++) {
      Outcome o = outcomes[i];
      boolean blocks = o.enforced() && (!quota[i] || quotaExhausted);
      if (blocks && !globallyShadowed) {
        blocking.add(i);
        retryAfter = Math.max(retryAfter, o.resetSeconds());
      } else if (o.overLimit() && (blocks || o.policy().shadowMode())) {
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

    Struct.Builder metadata = Struct.newBuilder();
    if (settings.referenceDynamicMetadata()) {
      referenceMetadata(request, outcomes, quota, metadata);
    }
    if (settings.overLimitMetadata()) {
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
        ListValue.Builder rules = ListValue.newBuilder();
        shadowRules.forEach(r -> rules.addValues(string(r)));
        metadata.putFields("shadowRules", Value.newBuilder().setListValue(rules).build());
      }
    }
    if (metadata.getFieldsCount() > 0) {
      response.setDynamicMetadata(metadata);
    }
    return response.build();
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
        .setLimitRemaining((int) o.remaining())
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
