package io.tollgate.controlplane.limits;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The window of a limit; the same four units as the reference rate-limit service. */
public enum Per {
  @JsonProperty("second")
  SECOND,
  @JsonProperty("minute")
  MINUTE,
  @JsonProperty("hour")
  HOUR,
  @JsonProperty("day")
  DAY;

  /** The spelling used in JSON and in the reference YAML ({@code unit: minute}). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name, case-insensitively as the reference service does. */
  public static Optional<Per> parse(String text) {
    return Arrays.stream(values()).filter(p -> p.wireName().equalsIgnoreCase(text)).findFirst();
  }
}
