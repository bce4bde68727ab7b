package io.tollgate.controlplane.access;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One entry of the allow and deny lists (README, "Allow and deny lists"), enforced by Envoy's RBAC
 * filter before any rate limit. Required parts may be null until {@link
 * io.tollgate.controlplane.access.validation.AccessRuleValidator} has accepted the entry.
 *
 * @param name unique, DNS-label-like; named in the 403 body and the blocked-call ring
 * @param action deny or allow
 * @param match which requests the entry matches
 * @param enabled a disabled entry is kept but not enforced
 */
// The read-only fields a GET adds are ignored when read, so what a GET returns can be PUT back.
@JsonIgnoreProperties(value = {"source", "version"})
public record AccessRule(String name, AccessAction action, AccessMatch match, boolean enabled) {

  /**
   * The JSON creator: {@code enabled} defaults to true; an explicit null is refused by the strict
   * mapper before this runs.
   */
  @JsonCreator
  static AccessRule fromJson(
      @JsonProperty("name") String name,
      @JsonProperty("action") AccessAction action,
      @JsonProperty("match") AccessMatch match,
      @JsonProperty("enabled") Boolean enabled) {
    return new AccessRule(name, action, match, enabled == null || enabled);
  }
}
