package io.tollgate.controlplane.xds.translate;

import com.github.xds.core.v3.TypedExtensionConfig;
import com.github.xds.type.matcher.v3.Matcher;
import com.github.xds.type.matcher.v3.Matcher.MatcherList.FieldMatcher;
import com.github.xds.type.matcher.v3.Matcher.MatcherList.Predicate;
import com.github.xds.type.matcher.v3.Matcher.MatcherList.Predicate.SinglePredicate;
import com.github.xds.type.matcher.v3.RegexMatcher;
import com.github.xds.type.matcher.v3.StringMatcher;
import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.extensions.filters.http.rate_limit_quota.v3.RateLimitQuotaBucketSettings;
import io.envoyproxy.envoy.extensions.filters.http.rate_limit_quota.v3.RateLimitQuotaBucketSettings.BucketIdBuilder;
import io.envoyproxy.envoy.extensions.filters.http.rate_limit_quota.v3.RateLimitQuotaBucketSettings.BucketIdBuilder.ValueBuilder;
import io.envoyproxy.envoy.extensions.filters.http.rate_limit_quota.v3.RateLimitQuotaFilterConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.matching.common_inputs.network.v3.SourceIPInput;
import io.envoyproxy.envoy.extensions.matching.input_matchers.ip.v3.Ip;
import io.envoyproxy.envoy.type.matcher.v3.HttpRequestHeaderMatchInput;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.RateLimitStrategy;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.tollgate.controlplane.limits.CountedBy;
import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.Match;
import io.tollgate.controlplane.limits.Mode;
import java.util.ArrayList;
import java.util.List;

/**
 * Envoy's {@code rate_limit_quota} filter for one approximate rule: no call per request; Envoy
 * enforces the token bucket the rate-limit service assigns it over RLQS (stream to the rate-limit
 * cluster, domain {@value RateLimitConfigs#DOMAIN}) and reports usage every interval.
 *
 * <p>One filter instance per rule, because one instance puts a request into one bucket only: with
 * one each, every approximate rule that matches a request applies to it, as every exact rule does.
 * The instances share Envoy's one RLQS stream (Envoy keys it by the gRPC service and domain).
 *
 * <p>The bucket matcher reproduces the rule's match, one branch per descriptor chain (so per source
 * range); the bucket id holds exactly that chain's entries (see {@link RuleDescriptors}): the rule
 * name, the tier and the gates as constants, the counted dimensions from the request. A {@code
 * header:NAME} dimension takes two branches: the header's value when present, the constant {@link
 * CountedBy#ABSENT} otherwise, as the exact tier counts it.
 */
final class RateLimitQuotaFilterFactory {

  /** Prefix of the filters' names (one per rule): {@code tollgate.quota.<rule>}. */
  static final String NAME_PREFIX = "tollgate.quota.";

  static final String HEADER_INPUT = "envoy.matching.inputs.request_headers";
  static final String SOURCE_IP_INPUT = "envoy.matching.inputs.source_ip";
  static final String IP_MATCHER = "envoy.matching.matchers.ip";
  static final String BUCKET_ACTION = "rate_limit_quota_bucket_settings";

  /**
   * Required by the API, but Envoy 1.40 reports every 5 s whatever a bucket says (its RLQS client
   * takes one interval for all buckets): stated as what happens, and what the service assumes
   * ({@code RLQS_REPORTING_INTERVAL}).
   */
  static final long REPORTING_INTERVAL_SECONDS = 5;

  HttpFilter create(LimitRule rule, LimitsInput.RateLimitService service) {
    RateLimitQuotaBucketSettings settings = settings(rule, service.quota());
    Matcher.MatcherList.Builder branches = Matcher.MatcherList.newBuilder();
    Matcher.Builder matcher = Matcher.newBuilder();
    for (List<DescriptorStep> chain : RuleDescriptors.chains(rule)) {
      for (Branch branch : branches(chain)) {
        Matcher.OnMatch onMatch =
            Matcher.OnMatch.newBuilder()
                .setAction(
                    TypedExtensionConfig.newBuilder()
                        .setName(BUCKET_ACTION)
                        .setTypedConfig(
                            Any.pack(settings.toBuilder().setBucketIdBuilder(branch.id).build())))
                .build();
        if (branch.predicates.isEmpty()) {
          // A rule matching every request: no condition to test.
          matcher.setOnNoMatch(onMatch);
        } else {
          branches.addMatchers(
              FieldMatcher.newBuilder().setPredicate(all(branch.predicates)).setOnMatch(onMatch));
        }
      }
    }
    if (branches.getMatchersCount() > 0) {
      matcher.setMatcherList(branches);
    }
    RateLimitQuotaFilterConfig.Builder config =
        RateLimitQuotaFilterConfig.newBuilder()
            .setRlqsServer(
                GrpcService.newBuilder()
                    .setEnvoyGrpc(
                        GrpcService.EnvoyGrpc.newBuilder()
                            .setClusterName(RateLimitClusterFactory.NAME)))
            .setDomain(RateLimitConfigs.DOMAIN)
            .setBucketMatchers(matcher);
    if (rule.mode() == Mode.SHADOW) {
      // Counted and reported, never enforced.
      config.setFilterEnforced(
          RuntimeFractionalPercent.newBuilder()
              .setDefaultValue(FractionalPercent.newBuilder().setNumerator(0)));
    }
    return HttpFilter.newBuilder()
        .setName(NAME_PREFIX + rule.name())
        .setTypedConfig(Any.pack(config.build()))
        .build();
  }

  private static RateLimitQuotaBucketSettings settings(
      LimitRule rule, LimitsInput.RateLimitService.Quota quota) {
    RateLimitQuotaBucketSettings.Builder s =
        RateLimitQuotaBucketSettings.newBuilder()
            .setReportingInterval(Durations.fromSeconds(REPORTING_INTERVAL_SECONDS))
            .setNoAssignmentBehavior(
                RateLimitQuotaBucketSettings.NoAssignmentBehavior.newBuilder()
                    .setFallbackRateLimit(
                        blanket(
                            quota.denyBeforeAssignment()
                                ? RateLimitStrategy.BlanketRule.DENY_ALL
                                : RateLimitStrategy.BlanketRule.ALLOW_ALL)))
            .setDenyResponseSettings(
                RateLimitQuotaBucketSettings.DenyResponseSettings.newBuilder()
                    .setHttpStatus(HttpStatus.newBuilder().setCode(StatusCode.TooManyRequests))
                    // The body is the local reply mapper's (RateLimitLocalReplyFactory).
                    .addResponseHeadersToAdd(header("x-ratelimit-limit", limitHeader(rule)))
                    .addResponseHeadersToAdd(header("x-ratelimit-remaining", "0")));
    if (!quota.reuseLastAssignment().isZero()) {
      s.setExpiredAssignmentBehavior(
          RateLimitQuotaBucketSettings.ExpiredAssignmentBehavior.newBuilder()
              .setExpiredAssignmentBehaviorTimeout(
                  Durations.fromSeconds(quota.reuseLastAssignment().toSeconds()))
              .setReuseLastAssignment(
                  RateLimitQuotaBucketSettings.ExpiredAssignmentBehavior.ReuseLastAssignment
                      .getDefaultInstance()));
    }
    return s.build();
  }

  /** As the exact tier's draft-03 header: {@code <limit>, <limit>;w=<window seconds>}. */
  private static String limitHeader(LimitRule rule) {
    long n = rule.limit().requests();
    long window =
        switch (rule.limit().per()) {
          case SECOND -> 1;
          case MINUTE -> 60;
          case HOUR -> 3_600;
          case DAY -> 86_400;
        };
    return n + ", " + n + ";w=" + window;
  }

  /** The address part of {@code a.b.c.d/len}. */
  private static String address(String cidr) {
    return cidr.substring(0, cidr.indexOf('/'));
  }

  private static HeaderValueOption header(String name, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .build();
  }

  private static RateLimitStrategy blanket(RateLimitStrategy.BlanketRule rule) {
    return RateLimitStrategy.newBuilder().setBlanketRule(rule).build();
  }

  /** One way a request can fall into a chain's bucket: its conditions and its bucket id. */
  private record Branch(List<Predicate> predicates, BucketIdBuilder id) {}

  /** The branches of one chain: one, or two per {@code header:NAME} dimension. */
  private static List<Branch> branches(List<DescriptorStep> chain) {
    List<Branch> out = List.of(new Branch(List.of(), BucketIdBuilder.getDefaultInstance()));
    for (DescriptorStep step : chain) {
      List<Branch> next = new ArrayList<>();
      for (Branch b : out) {
        for (Branch part : parts(step)) {
          List<Predicate> predicates = new ArrayList<>(b.predicates);
          predicates.addAll(part.predicates);
          next.add(
              new Branch(
                  predicates,
                  b.id.toBuilder().putAllBucketIdBuilder(part.id.getBucketIdBuilderMap()).build()));
        }
      }
      out = next;
    }
    return out;
  }

  /** What one step adds: conditions and bucket-id entries (several alternatives). */
  private static List<Branch> parts(DescriptorStep step) {
    if (step instanceof DescriptorStep.SourceRange s) {
      Ip ip =
          Ip.newBuilder()
              .addCidrRanges(
                  CidrRange.newBuilder()
                      .setAddressPrefix(address(s.cidr().toString()))
                      .setPrefixLen(UInt32Value.of(s.cidr().prefixLength())))
              .setStatPrefix("tollgate_quota_source")
              .build();
      return List.of(
          part(
              SinglePredicate.newBuilder()
                  .setInput(sourceIp())
                  .setCustomMatch(
                      TypedExtensionConfig.newBuilder()
                          .setName(IP_MATCHER)
                          .setTypedConfig(Any.pack(ip)))
                  .build(),
              constant(step)));
    }
    if (step instanceof DescriptorStep.PathGate p) {
      StringMatcher m =
          p.kind() == DescriptorStep.PathKind.PREFIX
              ? StringMatcher.newBuilder().setPrefix(p.text()).build()
              : regex(p.regex());
      return List.of(part(headerIs(":path", m), constant(step)));
    }
    if (step instanceof DescriptorStep.MethodGate m) {
      return List.of(part(headerIs(":method", regex(m.regex())), constant(step)));
    }
    if (step instanceof DescriptorStep.HeaderGate h) {
      StringMatcher m =
          h.expected().equals(Match.ANY_VALUE)
              ? present()
              : StringMatcher.newBuilder().setExact(h.expected()).build();
      return List.of(part(headerIs(h.header(), m), constant(step)));
    }
    if (step instanceof DescriptorStep.Counted c) {
      return counted(c);
    }
    // The rule name and the tier: constants.
    return List.of(new Branch(List.of(), constant(step)));
  }

  private static List<Branch> counted(DescriptorStep.Counted c) {
    CountedBy d = c.dimension();
    if (d instanceof CountedBy.Ip) {
      return List.of(new Branch(List.of(), dynamic(c.key(), sourceIp())));
    }
    if (d instanceof CountedBy.Method) {
      return List.of(new Branch(List.of(), dynamic(c.key(), headerInput(":method"))));
    }
    if (d instanceof CountedBy.Header h) {
      Predicate present =
          Predicate.newBuilder().setSinglePredicate(headerIs(h.name(), present())).build();
      Branch withValue = new Branch(List.of(present), dynamic(c.key(), headerInput(h.name())));
      if (!h.countAbsent()) {
        // header-if-present: a request without it is not counted (it falls into no bucket).
        return List.of(withValue);
      }
      Branch absent =
          new Branch(
              List.of(Predicate.newBuilder().setNotMatcher(present).build()),
              BucketIdBuilder.newBuilder()
                  .putBucketIdBuilder(
                      c.key(), ValueBuilder.newBuilder().setStringValue(CountedBy.ABSENT).build())
                  .build());
      return List.of(withValue, absent);
    }
    // path: refused for approximate rules by the validator (see LimitRuleValidator).
    throw new IllegalArgumentException("approximate rules cannot count by " + d.spelling());
  }

  private static Branch part(SinglePredicate predicate, BucketIdBuilder id) {
    return new Branch(List.of(Predicate.newBuilder().setSinglePredicate(predicate).build()), id);
  }

  private static Predicate all(List<Predicate> predicates) {
    if (predicates.size() == 1) {
      return predicates.get(0);
    }
    return Predicate.newBuilder()
        .setAndMatcher(Predicate.PredicateList.newBuilder().addAllPredicate(predicates))
        .build();
  }

  private static BucketIdBuilder constant(DescriptorStep step) {
    return BucketIdBuilder.newBuilder()
        .putBucketIdBuilder(
            step.key(), ValueBuilder.newBuilder().setStringValue(step.value()).build())
        .build();
  }

  /** A bucket-id entry from a request input (the bucket id takes Envoy's extension type). */
  private static BucketIdBuilder dynamic(String key, TypedExtensionConfig input) {
    io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig value =
        io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig.newBuilder()
            .setName(input.getName())
            .setTypedConfig(input.getTypedConfig())
            .build();
    return BucketIdBuilder.newBuilder()
        .putBucketIdBuilder(key, ValueBuilder.newBuilder().setCustomValue(value).build())
        .build();
  }

  private static SinglePredicate headerIs(String header, StringMatcher matcher) {
    return SinglePredicate.newBuilder()
        .setInput(headerInput(header))
        .setValueMatch(matcher)
        .build();
  }

  private static TypedExtensionConfig headerInput(String header) {
    return TypedExtensionConfig.newBuilder()
        .setName(HEADER_INPUT)
        .setTypedConfig(
            Any.pack(HttpRequestHeaderMatchInput.newBuilder().setHeaderName(header).build()))
        .build();
  }

  private static TypedExtensionConfig sourceIp() {
    return TypedExtensionConfig.newBuilder()
        .setName(SOURCE_IP_INPUT)
        .setTypedConfig(Any.pack(SourceIPInput.getDefaultInstance()))
        .build();
  }

  /** Any value, empty included; an absent header gives the input no value, which never matches. */
  private static StringMatcher present() {
    return regex("(?s).*");
  }

  private static StringMatcher regex(String regex) {
    return StringMatcher.newBuilder()
        .setSafeRegex(
            RegexMatcher.newBuilder()
                .setRegex(regex)
                .setGoogleRe2(RegexMatcher.GoogleRE2.getDefaultInstance()))
        .build();
  }
}
