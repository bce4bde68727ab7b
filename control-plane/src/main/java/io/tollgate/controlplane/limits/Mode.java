package io.tollgate.controlplane.limits;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether a rule blocks requests over its limit or only counts and reports them. */
public enum Mode {
  @JsonProperty("enforce")
  ENFORCE,
  @JsonProperty("shadow")
  SHADOW;

  /** The spelling used in JSON and YAML. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
