package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RateLimit;
import io.envoyproxy.envoy.config.route.v3.RateLimit.Action;
import io.envoyproxy.envoy.extensions.rate_limit_descriptors.expr.v3.Descriptor;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.tollgate.controlplane.limits.CountedBy;
import io.tollgate.controlplane.limits.LimitRule;
import java.util.List;

/**
 * The Envoy side of {@link RuleDescriptors}: one {@code rate_limits} entry per descriptor chain,
 * one action per step, so Envoy emits exactly the entries the rate-limit configuration matches.
 * Gates are {@code header_value_match} actions: when a condition fails the action emits nothing and
 * Envoy drops the whole descriptor, so the rule does not count that request.
 */
final class RateLimitActionsFactory {

  static final String EXPR_DESCRIPTOR = "envoy.rate_limit_descriptors.expr";

  /** CEL: the path without its query string (after the connection manager normalized it). */
  static final String URL_PATH = "request.url_path";

  /** The actions of a rule on the virtual host: every gate is checked per request. */
  List<RateLimit> create(LimitRule rule) {
    return create(rule, false);
  }

  /**
   * The actions of a rule on a route its exact or prefix path already selected (see {@link
   * RulePathMatcherFactory}): the path gate emits its entry as a constant instead of matching
   * {@code :path} again.
   */
  List<RateLimit> createOnRoute(LimitRule rule) {
    return create(rule, true);
  }

  private List<RateLimit> create(LimitRule rule, boolean pathMatched) {
    return RuleDescriptors.chains(rule).stream()
        .map(
            chain ->
                RateLimit.newBuilder()
                    .addAllActions(chain.stream().map(s -> action(s, pathMatched)).toList())
                    .build())
        .toList();
  }

  private Action action(DescriptorStep step, boolean pathMatched) {
    Action.Builder a = Action.newBuilder();
    if (step instanceof DescriptorStep.RuleName
        || step instanceof DescriptorStep.ApproximateTier
        || (pathMatched
            && step instanceof DescriptorStep.PathGate p
            && p.kind() != DescriptorStep.PathKind.REGEX)) {
      a.setGenericKey(
          Action.GenericKey.newBuilder()
              .setDescriptorKey(step.key())
              .setDescriptorValue(step.value()));
    } else if (step instanceof DescriptorStep.SourceRange s) {
      Action.MaskedRemoteAddress.Builder m = Action.MaskedRemoteAddress.newBuilder();
      UInt32Value length = UInt32Value.of(s.cidr().prefixLength());
      a.setMaskedRemoteAddress(
          s.cidr().isIpv4() ? m.setV4PrefixMaskLen(length) : m.setV6PrefixMaskLen(length));
    } else if (step instanceof DescriptorStep.PathGate p) {
      a.setHeaderValueMatch(gate(step, ":path", pathMatcher(p)));
    } else if (step instanceof DescriptorStep.MethodGate m) {
      a.setHeaderValueMatch(gate(step, ":method", regex(m.regex())));
    } else if (step instanceof DescriptorStep.HeaderGate h) {
      HeaderMatcher.Builder matcher = HeaderMatcher.newBuilder().setName(h.header());
      if (h.expected().equals(io.tollgate.controlplane.limits.Match.ANY_VALUE)) {
        matcher.setPresentMatch(true);
      } else {
        matcher.setStringMatch(StringMatcher.newBuilder().setExact(h.expected()));
      }
      a.setHeaderValueMatch(
          Action.HeaderValueMatch.newBuilder()
              .setDescriptorKey(step.key())
              .setDescriptorValue(step.value())
              .setExpectMatch(BoolValue.of(true))
              .addHeaders(matcher));
    } else if (step instanceof DescriptorStep.Counted c) {
      counted(c, a);
    }
    return a.build();
  }

  private static void counted(DescriptorStep.Counted c, Action.Builder a) {
    CountedBy d = c.dimension();
    if (d instanceof CountedBy.Ip) {
      a.setRemoteAddress(Action.RemoteAddress.getDefaultInstance());
    } else if (d instanceof CountedBy.Path) {
      a.setExtension(expression(c.key(), URL_PATH));
    } else if (d instanceof CountedBy.Method) {
      a.setRequestHeaders(
          Action.RequestHeaders.newBuilder().setHeaderName(":method").setDescriptorKey(c.key()));
    } else if (d instanceof CountedBy.Header h && h.countAbsent()) {
      a.setExtension(expression(c.key(), DescriptorStep.Counted.absentOrValue(h.name())));
    } else if (d instanceof CountedBy.Header h) {
      a.setRequestHeaders(
          Action.RequestHeaders.newBuilder().setHeaderName(h.name()).setDescriptorKey(c.key()));
    }
  }

  private static TypedExtensionConfig expression(String key, String cel) {
    return TypedExtensionConfig.newBuilder()
        .setName(EXPR_DESCRIPTOR)
        .setTypedConfig(
            Any.pack(Descriptor.newBuilder().setDescriptorKey(key).setText(cel).build()))
        .build();
  }

  private static Action.HeaderValueMatch gate(
      DescriptorStep step, String header, StringMatcher match) {
    return Action.HeaderValueMatch.newBuilder()
        .setDescriptorKey(step.key())
        .setDescriptorValue(step.value())
        .setExpectMatch(BoolValue.of(true))
        .addHeaders(HeaderMatcher.newBuilder().setName(header).setStringMatch(match))
        .build();
  }

  private static StringMatcher pathMatcher(DescriptorStep.PathGate p) {
    return p.kind() == DescriptorStep.PathKind.PREFIX
        ? StringMatcher.newBuilder().setPrefix(p.text()).build()
        : regex(p.regex());
  }

  private static StringMatcher regex(String regex) {
    return StringMatcher.newBuilder()
        .setSafeRegex(RegexMatcher.newBuilder().setRegex(regex))
        .build();
  }
}
