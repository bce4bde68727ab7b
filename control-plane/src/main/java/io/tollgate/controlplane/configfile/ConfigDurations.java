package io.tollgate.controlplane.configfile;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The duration syntax of the configuration file: a whole number and a unit, {@code 500ms}. */
final class ConfigDurations {

  static final String SYNTAX = "a whole number and a unit (ms, s, m, h) such as 500ms or 2s";

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  private ConfigDurations() {}

  /** The duration, or empty when {@code text} is not in the syntax. */
  static Optional<Duration> parse(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    long amount = Long.parseLong(m.group(1));
    return Optional.of(
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          default -> Duration.ofHours(amount);
        });
  }
}
