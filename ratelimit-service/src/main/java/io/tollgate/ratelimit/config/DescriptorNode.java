package io.tollgate.ratelimit.config;

import java.util.List;
import java.util.Map;

/**
 * One level of a domain's compiled descriptor tree. Children are keyed {@code key_value} (or {@code
 * key} alone for a default); wildcard children are also listed, in configuration order, because the
 * first matching wildcard wins.
 *
 * @param policy null when this level only groups nested descriptors (or whitelists)
 * @param wildcardPattern the {@code key_value*} pattern when {@code share_threshold} is on, else
 *     empty
 */
public record DescriptorNode(
    Map<String, DescriptorNode> children,
    List<WildcardChild> wildcards,
    RateLimitPolicy policy,
    boolean valueToMetric,
    boolean shareThreshold,
    String wildcardPattern) {

  public DescriptorNode {
    children = Map.copyOf(children);
    wildcards = List.copyOf(wildcards);
  }

  public boolean hasChildren() {
    return !children.isEmpty();
  }

  /** A wildcard child: its pattern and its node. */
  public record WildcardChild(WildcardPattern pattern, DescriptorNode node) {}
}
