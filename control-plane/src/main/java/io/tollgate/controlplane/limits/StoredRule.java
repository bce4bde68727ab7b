package io.tollgate.controlplane.limits;

/**
 * A rule as stored.
 *
 * @param rule the rule
 * @param version its ETag: the rules version of its last change
 * @param source who owns it
 */
public record StoredRule(LimitRule rule, long version, RuleSource source) {

  /** The strong ETag of this rule, quoted. */
  public String etag() {
    return "\"" + version + "\"";
  }
}
