package io.tollgate.ratelimit.config;

import java.util.Locale;
import java.util.Optional;

/**
 * How a limit counts. {@link #FIXED_WINDOW} is the reference's algorithm and the default; {@link
 * #SLIDING_WINDOW} weighs the previous fixed window by the part of it still inside the sliding one.
 */
public enum Algorithm {
  FIXED_WINDOW,
  SLIDING_WINDOW;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Algorithm> parse(String name) {
    for (Algorithm a : values()) {
      if (a.configName().equals(name)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
