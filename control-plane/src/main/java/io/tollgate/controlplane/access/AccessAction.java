package io.tollgate.controlplane.access;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What an access entry does with the requests it matches. Deny entries refuse what they match; once
 * any allow entry exists, a request must match one of them (the allow list), and a deny entry wins
 * over an allow entry.
 */
public enum AccessAction {
  @JsonProperty("deny")
  DENY,
  @JsonProperty("allow")
  ALLOW;

  /** The spelling used in JSON and YAML. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
