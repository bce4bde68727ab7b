package io.tollgate.controlplane.limits;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * How the rate-limit service counts a rule's window. {@code fixed_window} (the default, the
 * reference's algorithm): windows aligned to the clock, so a client may spend a window's limit at
 * the end of one window and again at the start of the next. {@code sliding_window}: the previous
 * window weighted by the part of it still inside the sliding one, so that boundary doubling is
 * mostly gone (ratelimit-service/README.md, "Sliding window"). A {@code limit.burst} makes the rule
 * a token bucket instead; it goes with the default only.
 */
public enum Algorithm {
  @JsonProperty("fixed_window")
  FIXED_WINDOW,
  @JsonProperty("sliding_window")
  SLIDING_WINDOW;

  /** The spelling used in JSON, YAML and the rate-limit service's configuration. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
