package io.tollgate.ratelimit.limiter;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.tollgate.ratelimit.config.CompiledConfig;
import io.tollgate.ratelimit.config.DescriptorNode;
import io.tollgate.ratelimit.config.RateLimitPolicy;
import io.tollgate.ratelimit.config.Unit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds the limit of one request descriptor, as the reference's {@code GetLimit} does: at each
 * level the exact {@code key_value} first, then the wildcards in configuration order, then the bare
 * key; a limit applies only when it sits at the descriptor's last entry. It also works out the
 * stats key ({@code detailed_metric}, {@code value_to_metric}, {@code share_threshold}) and, for
 * {@code share_threshold}, the pattern that replaces each shared value in the counter key.
 */
public final class DescriptorMatcher {

  /** The limit that applies, or null. */
  public LimitMatch match(CompiledConfig config, String domain, RateLimitDescriptor descriptor) {
    DescriptorNode root = config.domain(domain);
    if (root == null) {
      return null;
    }
    int n = descriptor.getEntriesCount();
    if (descriptor.hasLimit()) {
      return override(domain, descriptor);
    }
    DescriptorNode level = root;
    RateLimitPolicy found = null;
    // Per entry: how it matched, for the stats key; only built when a limit asks for it.
    DescriptorNode[] matched = new DescriptorNode[n];
    String[] wildcardKey = new String[n];
    boolean[] byValue = new boolean[n];
    String[] shared = null;
    int depth = 0;
    for (int i = 0; i < n; i++) {
      RateLimitDescriptor.Entry entry = descriptor.getEntries(i);
      String finalKey = entry.getKey() + "_" + entry.getValue();
      DescriptorNode next = level.children().get(finalKey);
      if (next == null) {
        for (DescriptorNode.WildcardChild w : level.wildcards()) {
          if (w.pattern().matches(finalKey)) {
            next = w.node();
            wildcardKey[i] = w.pattern().pattern();
            break;
          }
        }
      }
      byValue[i] = next != null;
      if (next == null) {
        next = level.children().get(entry.getKey());
      }
      matched[i] = next;
      depth = i + 1;
      if (wildcardKey[i] != null && next.shareThreshold() && !next.wildcardPattern().isEmpty()) {
        if (shared == null) {
          shared = new String[n];
        }
        shared[i] = stripKey(next.wildcardPattern(), entry.getKey());
      }
      if (next != null && next.policy() != null && i == n - 1) {
        found = next.policy();
      }
      if (next != null && next.hasChildren()) {
        level = next;
      } else {
        break;
      }
    }
    if (found == null) {
      return null;
    }
    boolean dynamicStats = found.detailedMetric();
    for (int i = 0; i < depth && !dynamicStats; i++) {
      dynamicStats = matched[i] != null && (matched[i].valueToMetric() || shared != null);
    }
    if (!dynamicStats) {
      return new LimitMatch(found, found.fullKey(), found.path(), shared);
    }
    List<String> path =
        found.detailedMetric()
            ? detailedPath(domain, descriptor, shared)
            : valueToMetricPath(domain, descriptor, depth, matched, wildcardKey, byValue, shared);
    return new LimitMatch(found, String.join(".", path), path, shared);
  }

  /**
   * The entries of an unordered descriptor (an RLQS bucket id, a map) in the order the domain's
   * tree nests them, so that {@link #match} can resolve it: from the root, at each level the entry
   * that has a child there, looked up as {@link #match} steps (exact {@code key_value}, then the
   * wildcards in configuration order, then the bare key); among several, the smallest key. Null
   * when the domain is unknown or some entry has no place on the path, so no limit can apply.
   */
  public RateLimitDescriptor chain(
      CompiledConfig config, String domain, Map<String, String> entries) {
    DescriptorNode level = config.domain(domain);
    if (level == null || entries.isEmpty()) {
      return null;
    }
    TreeMap<String, String> remaining = new TreeMap<>(entries);
    RateLimitDescriptor.Builder chain = RateLimitDescriptor.newBuilder();
    while (!remaining.isEmpty()) {
      DescriptorNode next = null;
      String key = null;
      for (Map.Entry<String, String> e : remaining.entrySet()) {
        next = step(level, e.getKey(), e.getValue());
        if (next != null) {
          key = e.getKey();
          break;
        }
      }
      if (next == null || (!next.hasChildren() && remaining.size() > 1)) {
        return null;
      }
      chain.addEntriesBuilder().setKey(key).setValue(remaining.remove(key));
      level = next;
    }
    return chain.build();
  }

  /** The child of {@code level} an entry steps to, in {@link #match}'s order; null if none. */
  private static DescriptorNode step(DescriptorNode level, String key, String value) {
    String finalKey = key + "_" + value;
    DescriptorNode next = level.children().get(finalKey);
    if (next != null) {
      return next;
    }
    for (DescriptorNode.WildcardChild w : level.wildcards()) {
      if (w.pattern().matches(finalKey)) {
        return w.node();
      }
    }
    return level.children().get(key);
  }

  /** The limit the request carries itself; its stats key is the request's descriptor path. */
  private static LimitMatch override(String domain, RateLimitDescriptor descriptor) {
    RateLimitDescriptor.RateLimitOverride o = descriptor.getLimit();
    Unit unit =
        Unit.fromProto(RateLimitResponse.RateLimit.Unit.forNumber(o.getUnitValue())).orElse(null);
    if (unit == null) {
      throw new RateLimitException(
          io.grpc.Status.INVALID_ARGUMENT.withDescription(
              "descriptor limit override has an unknown unit: " + o.getUnitValue()),
          false);
    }
    List<String> path = new ArrayList<>(descriptor.getEntriesCount() + 1);
    path.add(domain);
    for (RateLimitDescriptor.Entry e : descriptor.getEntriesList()) {
      path.add(e.getValue().isEmpty() ? e.getKey() : e.getKey() + "_" + e.getValue());
    }
    RateLimitPolicy policy =
        RateLimitPolicy.override(path, Integer.toUnsignedLong(o.getRequestsPerUnit()), unit);
    return new LimitMatch(policy, policy.fullKey(), policy.path(), null);
  }

  /** {@code detailed_metric}: every entry's own {@code key_value}, shared patterns kept. */
  private static List<String> detailedPath(
      String domain, RateLimitDescriptor descriptor, String[] shared) {
    List<String> path = new ArrayList<>(descriptor.getEntriesCount() + 1);
    path.add(domain);
    for (int i = 0; i < descriptor.getEntriesCount(); i++) {
      RateLimitDescriptor.Entry e = descriptor.getEntries(i);
      if (shared != null && shared[i] != null) {
        path.add(e.getKey() + "_" + shared[i]);
      } else if (shared != null) {
        path.add(e.getValue().isEmpty() ? e.getKey() : e.getKey() + "_" + e.getValue());
      } else {
        path.add(e.getKey() + "_" + e.getValue());
      }
    }
    return path;
  }

  /**
   * {@code value_to_metric}: the configuration path, except that a level with the option reports
   * the request's value instead of the wildcard or default it matched; a shared level reports its
   * pattern.
   */
  private static List<String> valueToMetricPath(
      String domain,
      RateLimitDescriptor descriptor,
      int depth,
      DescriptorNode[] matched,
      String[] wildcardKey,
      boolean[] byValue,
      String[] shared) {
    List<String> path = new ArrayList<>(depth + 1);
    path.add(domain);
    for (int i = 0; i < depth; i++) {
      RateLimitDescriptor.Entry e = descriptor.getEntries(i);
      String withValue = e.getValue().isEmpty() ? e.getKey() : e.getKey() + "_" + e.getValue();
      DescriptorNode node = matched[i];
      boolean isShared = shared != null && shared[i] != null;
      if (node == null) {
        path.add(e.getKey());
      } else if (wildcardKey[i] != null) {
        if (isShared) {
          path.add(e.getKey() + "_" + shared[i]);
        } else if (node.valueToMetric()) {
          path.add(withValue);
        } else {
          path.add(e.getKey() + "_" + stripKey(wildcardKey[i], e.getKey()));
        }
      } else if (byValue[i]) {
        path.add(isShared ? e.getKey() + "_" + shared[i] : withValue);
      } else {
        path.add(node.valueToMetric() ? withValue : e.getKey());
      }
    }
    return path;
  }

  /** {@code key_pattern} without its {@code key_}. */
  private static String stripKey(String compositeKey, String key) {
    String prefix = key + "_";
    return compositeKey.startsWith(prefix) ? compositeKey.substring(prefix.length()) : compositeKey;
  }

  /**
   * A matched limit.
   *
   * @param statsKey the counters' key: the policy's path unless a metric option asks otherwise
   * @param statsPath {@code statsKey} split into domain and levels
   * @param sharedValues per entry, the pattern that stands in for the value in the counter key
   *     ({@code share_threshold}); null when no entry shares
   */
  public record LimitMatch(
      RateLimitPolicy policy, String statsKey, List<String> statsPath, String[] sharedValues) {}
}
