package io.tollgate.controlplane.limits;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How exactly a rule is counted: {@code exact} asks the rate-limit service on every request (the
 * default); {@code approximate} lets each Envoy decide locally from quota assignments (RLQS).
 */
public enum Accuracy {
  @JsonProperty("exact")
  EXACT,
  @JsonProperty("approximate")
  APPROXIMATE;

  /** The spelling used in JSON and YAML. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
