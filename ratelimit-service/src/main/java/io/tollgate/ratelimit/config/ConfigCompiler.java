package io.tollgate.ratelimit.config;

import io.tollgate.referenceconfig.ConfigDocument;
import io.tollgate.referenceconfig.ConfigException;
import io.tollgate.referenceconfig.DescriptorSpec;
import io.tollgate.referenceconfig.RateLimitSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns parsed documents into one {@link CompiledConfig}, with the reference's semantic checks in
 * its order and with its messages: empty domain, duplicate domain (unless domains merge), empty
 * key, duplicate composite key, unit, unlimited with a unit, replaces; plus share_threshold only on
 * wildcards, a known {@code algorithm}, and a {@code burst} only on a limited, fixed-window rate
 * above 0. The first error aborts: nothing is half-applied.
 */
public final class ConfigCompiler {

  private final boolean mergeDomains;

  /**
   * @param mergeDomains {@code MERGE_DOMAIN_CONFIG}: files naming the same domain extend it instead
   *     of being rejected
   */
  public ConfigCompiler(boolean mergeDomains) {
    this.mergeDomains = mergeDomains;
  }

  public CompiledConfig compile(List<ConfigDocument> documents) {
    Map<String, NodeBuilder> domains = new LinkedHashMap<>();
    for (ConfigDocument doc : documents) {
      if (doc.domain().isEmpty()) {
        throw new ConfigException(doc.source(), "config file cannot have empty domain");
      }
      NodeBuilder root = domains.get(doc.domain());
      if (root != null && !mergeDomains) {
        throw new ConfigException(
            doc.source(), "duplicate domain '" + doc.domain() + "' in config file");
      }
      if (root == null) {
        root = new NodeBuilder(null, false, false, "");
        domains.put(doc.domain(), root);
      }
      load(doc.source(), List.of(doc.domain()), doc.descriptors(), root);
    }
    Map<String, DescriptorNode> compiled = new LinkedHashMap<>();
    domains.forEach((domain, builder) -> compiled.put(domain, builder.build()));
    return new CompiledConfig(compiled);
  }

  private static void load(
      String source, List<String> parentPath, List<DescriptorSpec> specs, NodeBuilder target) {
    for (DescriptorSpec spec : specs) {
      if (spec.key().isEmpty()) {
        throw new ConfigException(source, "descriptor has empty key");
      }
      String finalKey = spec.value().isEmpty() ? spec.key() : spec.key() + "_" + spec.value();
      List<String> pathParts = append(parentPath, finalKey);
      String path = String.join(".", pathParts);
      if (target.children.containsKey(finalKey)) {
        throw new ConfigException(source, "duplicate descriptor composite key '" + path + "'");
      }
      RateLimitPolicy policy =
          spec.rateLimit() == null ? null : policy(source, pathParts, spec, spec.rateLimit());
      if (spec.rateLimit() == null && !spec.algorithm().isEmpty()) {
        throw new ConfigException(
            source, "descriptor '" + path + "' sets algorithm without a rate_limit");
      }
      boolean wildcard = WildcardPattern.isWildcard(finalKey);
      if (spec.shareThreshold() && !wildcard) {
        throw new ConfigException(
            source,
            "share_threshold can only be used with wildcard values (containing '*'), but found key '"
                + finalKey
                + "'");
      }
      NodeBuilder child =
          new NodeBuilder(
              policy,
              spec.valueToMetric(),
              spec.shareThreshold(),
              spec.shareThreshold() ? finalKey : "");
      if (wildcard) {
        target.wildcardKeys.add(finalKey);
      }
      load(source, pathParts, spec.descriptors(), child);
      target.children.put(finalKey, child);
    }
  }

  private static List<String> append(List<String> path, String element) {
    List<String> out = new ArrayList<>(path.size() + 1);
    out.addAll(path);
    out.add(element);
    return out;
  }

  private static RateLimitPolicy policy(
      String source, List<String> path, DescriptorSpec spec, RateLimitSpec limit) {
    Unit unit = Unit.parse(limit.unit()).orElse(null);
    if (limit.unlimited()) {
      if (unit != null) {
        throw new ConfigException(source, "should not specify rate limit unit when unlimited");
      }
    } else if (unit == null) {
      throw new ConfigException(source, "invalid rate limit unit '" + limit.unit() + "'");
    }
    for (String replaced : limit.replaces()) {
      if (replaced.isEmpty()) {
        throw new ConfigException(source, "should not have an empty replaces entry");
      }
      if (replaced.equals(limit.name())) {
        throw new ConfigException(source, "replaces should not contain name of same descriptor");
      }
    }
    Algorithm algorithm = Algorithm.FIXED_WINDOW;
    if (!spec.algorithm().isEmpty()) {
      algorithm =
          Algorithm.parse(spec.algorithm())
              .orElseThrow(
                  () ->
                      new ConfigException(
                          source,
                          "invalid algorithm '"
                              + spec.algorithm()
                              + "' for '"
                              + String.join(".", path)
                              + "' (expected fixed_window or sliding_window)"));
    }
    long burst = 0;
    if (limit.burst() != null) {
      String where = "'" + String.join(".", path) + "'";
      if (limit.unlimited()) {
        throw new ConfigException(
            source, "should not specify burst when unlimited (" + where + ")");
      }
      if (algorithm == Algorithm.SLIDING_WINDOW) {
        throw new ConfigException(
            source,
            "burst cannot be combined with algorithm sliding_window for "
                + where
                + " (a burst is a token bucket)");
      }
      if (limit.requestsPerUnit() == 0) {
        throw new ConfigException(
            source,
            "burst needs requests_per_unit above 0 for "
                + where
                + " (the bucket refills at that rate)");
      }
      algorithm = Algorithm.TOKEN_BUCKET;
      burst = limit.burst();
    }
    return RateLimitPolicy.of(
        path,
        limit.requestsPerUnit(),
        unit,
        limit.unlimited(),
        spec.shadowMode(),
        spec.quotaMode(),
        limit.name(),
        limit.replaces(),
        spec.detailedMetric(),
        algorithm,
        burst,
        MetadataStruct.of(spec.metadata()));
  }

  /** A mutable level while files are loaded (domains may merge); frozen by {@link #build()}. */
  private static final class NodeBuilder {
    final Map<String, NodeBuilder> children = new LinkedHashMap<>();
    final List<String> wildcardKeys = new ArrayList<>();
    final RateLimitPolicy policy;
    final boolean valueToMetric;
    final boolean shareThreshold;
    final String wildcardPattern;

    NodeBuilder(
        RateLimitPolicy policy, boolean valueToMetric, boolean shareThreshold, String pattern) {
      this.policy = policy;
      this.valueToMetric = valueToMetric;
      this.shareThreshold = shareThreshold;
      this.wildcardPattern = pattern;
    }

    DescriptorNode build() {
      Map<String, DescriptorNode> built = new LinkedHashMap<>();
      children.forEach((k, v) -> built.put(k, v.build()));
      List<DescriptorNode.WildcardChild> wildcards = new ArrayList<>();
      for (String key : wildcardKeys) {
        wildcards.add(new DescriptorNode.WildcardChild(new WildcardPattern(key), built.get(key)));
      }
      return new DescriptorNode(
          built, wildcards, policy, valueToMetric, shareThreshold, wildcardPattern);
    }
  }
}
