package io.tollgate.ratelimit.settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads of environment variables with the reference's syntax (Go's {@code envconfig}:
 * durations like {@code 10s} or {@code 75ms}, booleans like {@code true}/{@code 1}, maps like
 * {@code k1:v1,k2:v2}). Every bad value is collected, so one run reports them all.
 */
final class Env {

  private static final Pattern DURATION_PART =
      Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

  private final Map<String, String> values;
  private final List<String> errors = new ArrayList<>();

  Env(Map<String, String> values) {
    this.values = values;
  }

  List<String> errors() {
    return errors;
  }

  boolean isSet(String name) {
    String v = values.get(name);
    return v != null && !v.isEmpty();
  }

  String string(String name, String defaultValue) {
    String v = values.get(name);
    return v == null || v.isEmpty() ? defaultValue : v;
  }

  int integer(String name, int defaultValue, int min, int max) {
    return parse(
        name,
        defaultValue,
        "an integer from " + min + " to " + max,
        s -> {
          int v = Integer.parseInt(s.trim());
          if (v < min || v > max) {
            throw new IllegalArgumentException();
          }
          return v;
        });
  }

  long longValue(String name, long defaultValue, long min) {
    return parse(
        name,
        defaultValue,
        "an integer >= " + min,
        s -> {
          long v = Long.parseLong(s.trim());
          if (v < min) {
            throw new IllegalArgumentException();
          }
          return v;
        });
  }

  double decimal(String name, double defaultValue, double min, double max) {
    return parse(
        name,
        defaultValue,
        "a number from " + min + " to " + max,
        s -> {
          double v = Double.parseDouble(s.trim());
          if (!(v >= min && v <= max)) {
            throw new IllegalArgumentException();
          }
          return v;
        });
  }

  boolean bool(String name, boolean defaultValue) {
    return parse(name, defaultValue, "a boolean (true/false/1/0)", Env::parseBool);
  }

  Duration duration(String name, Duration defaultValue) {
    return parse(name, defaultValue, "a duration such as 75ms, 10s or 1m30s", Env::parseDuration);
  }

  <E extends Enum<E>> E choice(String name, E defaultValue, Class<E> type) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) {
      return defaultValue;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v.trim())) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name());
    }
    errors.add(name + "=" + v + ": expected one of " + names);
    return defaultValue;
  }

  /** {@code k1:v1,k2:v2} (or {@code k=v} when {@code separator} is '='). */
  Map<String, String> map(String name, char separator) {
    Map<String, String> out = new LinkedHashMap<>();
    String v = values.get(name);
    if (v == null || v.isBlank()) {
      return out;
    }
    for (String entry : v.split(",")) {
      int at = entry.indexOf(separator);
      if (at <= 0) {
        errors.add(name + "=" + v + ": expected key" + separator + "value pairs separated by ','");
        return out;
      }
      out.put(entry.substring(0, at).trim(), entry.substring(at + 1).trim());
    }
    return out;
  }

  private <T> T parse(String name, T defaultValue, String expected, Function<String, T> parser) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) {
      return defaultValue;
    }
    try {
      return parser.apply(v);
    } catch (RuntimeException e) {
      errors.add(name + "=" + v + ": expected " + expected);
      return defaultValue;
    }
  }

  static boolean parseBool(String s) {
    return switch (s.trim()) {
      case "1", "t", "T", "true", "TRUE", "True" -> true;
      case "0", "f", "F", "false", "FALSE", "False" -> false;
      default -> throw new IllegalArgumentException(s);
    };
  }

  /** Go's {@code time.ParseDuration}, without the sign. */
  static Duration parseDuration(String s) {
    String text = s.trim();
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION_PART.matcher(text);
    long nanos = 0;
    int at = 0;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(s);
      }
      double amount = Double.parseDouble(m.group(1));
      double scale =
          switch (m.group(2)) {
            case "ns" -> 1;
            case "us", "µs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
          };
      nanos += Math.round(amount * scale);
      at = m.end();
    }
    if (at == 0) {
      throw new IllegalArgumentException(s);
    }
    return Duration.ofNanos(nanos);
  }
}
