package io.tollgate.ratelimit.config;

import java.util.Locale;
import java.util.Optional;

/**
 * How a limit counts. {@link #FIXED_WINDOW} is the reference's algorithm and the default; {@link
 * #SLIDING_WINDOW} weighs the previous fixed window by the part of it still inside the sliding one;
 * {@link #TOKEN_BUCKET} is what a {@code burst} makes of a limit (never written as {@code
 * algorithm}: the burst is what asks for it).
 */
public enum Algorithm {
  FIXED_WINDOW,
  SLIDING_WINDOW,
  TOKEN_BUCKET;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The value of an {@code algorithm} key: one of the two windows. */
  public static Optional<Algorithm> parse(String name) {
    for (Algorithm a : new Algorithm[] {FIXED_WINDOW, SLIDING_WINDOW}) {
      if (a.configName().equals(name)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
