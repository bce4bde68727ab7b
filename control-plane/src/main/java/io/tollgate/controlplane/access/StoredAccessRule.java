package io.tollgate.controlplane.access;

import io.tollgate.controlplane.limits.RuleSource;

/**
 * An access entry as stored or declared.
 *
 * @param rule the entry
 * @param version its ETag: the access rules version of its last change (0 for a file entry)
 * @param source who owns it
 */
public record StoredAccessRule(AccessRule rule, long version, RuleSource source) {

  /** The strong ETag of this entry, quoted. */
  public String etag() {
    return "\"" + version + "\"";
  }
}
