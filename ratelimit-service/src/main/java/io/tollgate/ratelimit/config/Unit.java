package io.tollgate.ratelimit.config;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import java.util.Locale;
import java.util.Optional;

/**
 * A rate-limit window length. The names and the lengths in seconds are the reference's (a month is
 * 30 days, a year 365), so fixed windows align to the epoch exactly as the reference's do and both
 * services build the same counter keys.
 */
public enum Unit {
  SECOND(1, RateLimitResponse.RateLimit.Unit.SECOND),
  MINUTE(60, RateLimitResponse.RateLimit.Unit.MINUTE),
  HOUR(3_600, RateLimitResponse.RateLimit.Unit.HOUR),
  DAY(86_400, RateLimitResponse.RateLimit.Unit.DAY),
  WEEK(604_800, RateLimitResponse.RateLimit.Unit.WEEK),
  MONTH(2_592_000, RateLimitResponse.RateLimit.Unit.MONTH),
  YEAR(31_536_000, RateLimitResponse.RateLimit.Unit.YEAR);

  private final long seconds;
  private final RateLimitResponse.RateLimit.Unit proto;

  Unit(long seconds, RateLimitResponse.RateLimit.Unit proto) {
    this.seconds = seconds;
    this.proto = proto;
  }

  public long seconds() {
    return seconds;
  }

  public long millis() {
    return seconds * 1000;
  }

  public RateLimitResponse.RateLimit.Unit proto() {
    return proto;
  }

  /** The unit a configuration names, case-insensitively as the reference reads it. */
  public static Optional<Unit> parse(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String upper = name.toUpperCase(Locale.ROOT);
    for (Unit u : values()) {
      if (u.name().equals(upper)) {
        return Optional.of(u);
      }
    }
    return Optional.empty();
  }

  /** The unit of a proto enum value; empty for UNKNOWN and unrecognised values. */
  public static Optional<Unit> fromProto(RateLimitResponse.RateLimit.Unit unit) {
    for (Unit u : values()) {
      if (u.proto == unit) {
        return Optional.of(u);
      }
    }
    return Optional.empty();
  }
}
