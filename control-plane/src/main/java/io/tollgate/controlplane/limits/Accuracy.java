package io.tollgate.controlplane.limits;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * Which tier enforces a rule. {@code exact}: Envoy asks the rate-limit service on every request
 * (ShouldRateLimit), so the count is exact across the fleet. {@code approximate}: Envoy enforces a
 * token bucket the rate-limit service assigns it over the Rate Limit Quota Service protocol and
 * only reports usage every interval, so no call waits per request and the fleet may admit a little
 * over the limit (README, "Approximate tier").
 */
public enum Accuracy {
  @JsonProperty("exact")
  EXACT,
  @JsonProperty("approximate")
  APPROXIMATE;

  /** The spelling used in JSON, YAML and descriptors. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
