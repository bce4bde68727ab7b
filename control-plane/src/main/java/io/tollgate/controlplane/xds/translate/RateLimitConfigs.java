package io.tollgate.controlplane.xds.translate;

import io.tollgate.controlplane.limits.Accuracy;
import io.tollgate.controlplane.limits.Algorithm;
import io.tollgate.controlplane.limits.CountedBy;
import io.tollgate.controlplane.limits.InvalidRuleException;
import io.tollgate.controlplane.limits.Limit;
import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.Match;
import io.tollgate.controlplane.limits.Mode;
import io.tollgate.controlplane.limits.Per;
import io.tollgate.controlplane.limits.RuleViolation;
import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import io.tollgate.protos.ratelimit.config.v3.RateLimitDescriptor;
import io.tollgate.protos.ratelimit.config.v3.RateLimitPolicy;
import io.tollgate.protos.ratelimit.config.v3.RateLimitUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Rules to the rate-limit service's configuration ({@code RateLimitConfig}, domain {@value
 * #DOMAIN}) and back. Pure. The forward direction is what the control plane serves over xDS and
 * what {@code GET /api/v1/limits/export} prints; the backward direction is {@code POST
 * /api/v1/limits/import}, which accepts exactly the trees {@link RuleDescriptors} produces (in any
 * order of siblings) so that import then export is a round trip.
 */
public final class RateLimitConfigs {

  /** The rate-limit domain of Tollgate (docs/architecture.md). */
  public static final String DOMAIN = "tollgate";

  private RateLimitConfigs() {}

  /** The configuration of the enabled rules; disabled rules are omitted. */
  public static RateLimitConfig of(List<LimitRule> rules) {
    Node root = new Node(null, null);
    for (LimitRule rule : rules) {
      if (!rule.enabled()) {
        continue;
      }
      for (List<DescriptorStep> chain : RuleDescriptors.chains(rule)) {
        Node node = root;
        for (DescriptorStep step : chain) {
          node = node.child(step.key(), step.value());
        }
        node.leaf = rule;
      }
    }
    RateLimitConfig.Builder out = RateLimitConfig.newBuilder().setName(DOMAIN).setDomain(DOMAIN);
    root.children.values().forEach(child -> out.addDescriptors(child.toProto()));
    return out.build();
  }

  /**
   * The rules a configuration describes.
   *
   * @param check the rule validation (the caller's, so the translator depends on no validator): the
   *     violations of a rule, field names after the given prefix
   * @throws InvalidRuleException naming the descriptor at fault, when the tree is not one Tollgate
   *     produces or a rule in it is invalid
   */
  public static List<LimitRule> rules(
      RateLimitConfig config, BiFunction<LimitRule, String, List<RuleViolation>> check) {
    if (!DOMAIN.equals(config.getDomain())) {
      throw new InvalidRuleException("domain", "must be '" + DOMAIN + "'");
    }
    List<RuleViolation> violations = new ArrayList<>();
    Map<String, RuleBuilder> byName = new LinkedHashMap<>();
    List<Path> paths = new ArrayList<>();
    for (int i = 0; i < config.getDescriptorsCount(); i++) {
      collect(config.getDescriptors(i), "descriptors[" + i + "]", new ArrayList<>(), paths);
    }
    for (Path path : paths) {
      try {
        RuleBuilder parsed = RuleBuilder.parse(path);
        RuleBuilder known = byName.putIfAbsent(parsed.name, parsed);
        if (known != null) {
          known.merge(parsed, path.where());
        }
      } catch (InvalidRuleException e) {
        violations.addAll(e.violations());
      }
    }
    List<LimitRule> rules = new ArrayList<>();
    for (RuleBuilder builder : byName.values()) {
      LimitRule rule = builder.build();
      violations.addAll(check.apply(rule, builder.where + "."));
      rules.add(rule);
    }
    if (!violations.isEmpty()) {
      throw new InvalidRuleException(violations);
    }
    return rules;
  }

  private static void collect(
      RateLimitDescriptor d, String where, List<Entry> above, List<Path> out) {
    List<Entry> chain = new ArrayList<>(above);
    chain.add(new Entry(d.getKey(), d.getValue().isEmpty() ? null : d.getValue(), where));
    if (d.getDescriptorsCount() == 0) {
      if (!d.hasRateLimit()) {
        throw new InvalidRuleException(where, "the last descriptor of a chain needs a rate_limit");
      }
      out.add(new Path(chain, d.getRateLimit(), d.getShadowMode(), d.getAlgorithm(), where));
      return;
    }
    if (d.hasRateLimit() || d.getShadowMode() || !d.getAlgorithm().isEmpty()) {
      throw new InvalidRuleException(
          where, "rate_limit, shadow_mode and algorithm belong on the last descriptor of a chain");
    }
    for (int i = 0; i < d.getDescriptorsCount(); i++) {
      collect(d.getDescriptors(i), where + ".descriptors[" + i + "]", chain, out);
    }
  }

  private record Entry(String key, String value, String where) {}

  private record Path(
      List<Entry> entries, RateLimitPolicy policy, boolean shadow, String algorithm, String leaf) {
    String where() {
      return entries.get(0).where();
    }
  }

  /** Accumulates one rule from its chains. */
  private static final class RuleBuilder {
    private final String name;
    private final String where;
    private final Match matchWithoutCidrs;
    private final List<String> cidrs = new ArrayList<>();
    private final List<String> by;
    private final Limit limit;
    private final Mode mode;
    private final Accuracy accuracy;
    private final Algorithm algorithm;

    private RuleBuilder(
        String name,
        String where,
        Match match,
        String cidr,
        List<String> by,
        Limit limit,
        Mode mode,
        Accuracy accuracy,
        Algorithm algorithm) {
      this.name = name;
      this.where = where;
      this.matchWithoutCidrs = match;
      if (cidr != null) {
        cidrs.add(cidr);
      }
      this.by = by;
      this.limit = limit;
      this.mode = mode;
      this.accuracy = accuracy;
      this.algorithm = algorithm;
    }

    static RuleBuilder parse(Path path) {
      List<Entry> entries = path.entries();
      Entry head = entries.get(0);
      if (!DescriptorStep.RuleName.KEY.equals(head.key()) || head.value() == null) {
        throw new InvalidRuleException(
            head.where() + ".key", "every chain starts with 'rule' and the rule's name as value");
      }
      String cidr = null;
      Accuracy accuracy = Accuracy.EXACT;
      String path1 = null;
      String prefix = null;
      String regex = null;
      List<String> methods = null;
      Map<String, String> headers = new LinkedHashMap<>();
      List<String> by = new ArrayList<>();
      for (Entry e : entries.subList(1, entries.size())) {
        String key = e.key();
        if (e.value() == null) {
          by.add(countedDimension(e));
          continue;
        }
        if (key.equals(DescriptorStep.SourceRange.KEY)) {
          cidr = e.value();
        } else if (key.equals(DescriptorStep.ApproximateTier.KEY)) {
          accuracy = tier(e);
        } else if (key.equals(DescriptorStep.PathKind.EXACT.key)) {
          path1 = e.value();
        } else if (key.equals(DescriptorStep.PathKind.PREFIX.key)) {
          prefix = e.value();
        } else if (key.equals(DescriptorStep.PathKind.REGEX.key)) {
          regex = e.value();
        } else if (key.equals(DescriptorStep.MethodGate.KEY)) {
          methods = List.of(e.value().split(","));
        } else if (key.startsWith(DescriptorStep.HeaderGate.KEY_PREFIX)) {
          headers.put(key.substring(DescriptorStep.HeaderGate.KEY_PREFIX.length()), e.value());
        } else {
          throw new InvalidRuleException(
              e.where() + ".value",
              "Tollgate counts '" + key + "' per value: leave the value out, or use a match_* key");
        }
      }
      RateLimitPolicy policy = path.policy();
      String leaf = path.leaf() + ".rate_limit";
      if (policy.getUnlimited()) {
        throw new InvalidRuleException(
            leaf + ".unlimited", "not supported: disable or delete the rule instead");
      }
      if (policy.getReplacesCount() > 0) {
        throw new InvalidRuleException(leaf + ".replaces", "not supported");
      }
      if (policy.getUnit() == RateLimitUnit.UNKNOWN
          || policy.getUnit() == RateLimitUnit.UNRECOGNIZED) {
        throw new InvalidRuleException(leaf + ".unit", "one of second, minute, hour, day");
      }
      if (!policy.getName().isEmpty() && !policy.getName().equals(head.value())) {
        throw new InvalidRuleException(
            leaf + ".name", "must equal the rule name '" + head.value() + "' (or be absent)");
      }
      Per per = Per.valueOf(policy.getUnit().name());
      return new RuleBuilder(
          head.value(),
          head.where(),
          new Match(path1, prefix, regex, methods, headers, null),
          cidr,
          by,
          new Limit(
              Integer.toUnsignedLong(policy.getRequestsPerUnit()),
              per,
              policy.hasBurst() ? Integer.toUnsignedLong(policy.getBurst()) : null),
          path.shadow() ? Mode.SHADOW : Mode.ENFORCE,
          accuracy,
          algorithm(path.algorithm(), path.leaf() + ".algorithm"));
    }

    /** The descriptor's {@code algorithm}: absent is the fixed window. */
    private static Algorithm algorithm(String text, String where) {
      if (text.isEmpty()) {
        return Algorithm.FIXED_WINDOW;
      }
      for (Algorithm a : Algorithm.values()) {
        if (a.wireName().equals(text)) {
          return a;
        }
      }
      throw new InvalidRuleException(
          where, "unknown algorithm '" + text + "'; one of fixed_window, sliding_window");
    }

    private static Accuracy tier(Entry e) {
      if (!Accuracy.APPROXIMATE.wireName().equals(e.value())) {
        throw new InvalidRuleException(
            e.where() + ".value",
            "accuracy '"
                + e.value()
                + "' unknown: the only value is approximate (an exact rule has no accuracy entry)");
      }
      return Accuracy.APPROXIMATE;
    }

    private static String countedDimension(Entry e) {
      String key = e.key();
      if (key.equals("remote_address")) {
        return "ip";
      }
      if (key.equals("path")
          || key.equals("method")
          || key.startsWith(CountedBy.HEADER_PREFIX)
          || key.startsWith(CountedBy.HEADER_IF_PRESENT_PREFIX)) {
        return key;
      }
      throw new InvalidRuleException(
          e.where() + ".key",
          "unknown key '"
              + key
              + "'; Tollgate imports the descriptors it exports: rule, accuracy,"
              + " masked_remote_address,"
              + " match_path, match_path_prefix, match_path_regex, match_methods,"
              + " match_header:NAME, remote_address, path, method, header:NAME,"
              + " header-if-present:NAME");
    }

    void merge(RuleBuilder other, String where) {
      boolean same =
          Objects.equals(matchWithoutCidrs, other.matchWithoutCidrs)
              && by.equals(other.by)
              && limit.equals(other.limit)
              && mode == other.mode
              && accuracy == other.accuracy
              && algorithm == other.algorithm
              && !cidrs.isEmpty()
              && other.cidrs.size() == 1;
      if (!same) {
        throw new InvalidRuleException(
            where,
            "rule '"
                + name
                + "' appears twice; only chains that differ in masked_remote_address alone may"
                + " share a rule name");
      }
      cidrs.addAll(other.cidrs);
    }

    LimitRule build() {
      Match m = matchWithoutCidrs;
      return new LimitRule(
          name,
          new Match(m.path(), m.pathPrefix(), m.pathRegex(), m.methods(), m.headers(), cidrs),
          by,
          limit,
          mode,
          true,
          accuracy,
          algorithm);
    }
  }

  /** A trie of descriptors, so chains sharing a beginning share nodes. */
  private static final class Node {
    final String key;
    final String value;
    final Map<String, Node> children = new LinkedHashMap<>();
    LimitRule leaf;

    Node(String key, String value) {
      this.key = key;
      this.value = value;
    }

    Node child(String k, String v) {
      return children.computeIfAbsent(k + "\u0000" + (v == null ? "" : v), x -> new Node(k, v));
    }

    RateLimitDescriptor toProto() {
      RateLimitDescriptor.Builder d = RateLimitDescriptor.newBuilder().setKey(key);
      if (value != null) {
        d.setValue(value);
      }
      if (leaf != null) {
        RateLimitPolicy.Builder policy =
            RateLimitPolicy.newBuilder()
                .setUnit(RateLimitUnit.valueOf(leaf.limit().per().name()))
                .setRequestsPerUnit((int) (long) leaf.limit().requests())
                .setName(leaf.name());
        if (leaf.bursts()) {
          policy.setBurst((int) (long) leaf.limit().burst());
        }
        d.setRateLimit(policy);
        d.setShadowMode(leaf.mode() == Mode.SHADOW);
        // The default is written as nothing, as the reference (and every file before) has it.
        if (leaf.algorithm() != Algorithm.FIXED_WINDOW) {
          d.setAlgorithm(leaf.algorithm().wireName());
        }
      }
      children.values().forEach(c -> d.addDescriptors(c.toProto()));
      return d.build();
    }
  }
}
