package io.tollgate.controlplane.limits;

import java.util.List;

/**
 * Every stored rule at one rules version: what the translator turns into Envoy and rate-limit
 * service configuration.
 *
 * @param version the rules version (monotonic, shared by all replicas through the database)
 * @param rules by name
 */
public record RuleSet(long version, List<StoredRule> rules) {

  public static final RuleSet EMPTY = new RuleSet(0, List.of());

  public RuleSet {
    rules = List.copyOf(rules);
  }

  /** The rules that produce configuration, in name order. */
  public List<LimitRule> enabledRules() {
    return rules.stream().map(StoredRule::rule).filter(LimitRule::enabled).toList();
  }
}
