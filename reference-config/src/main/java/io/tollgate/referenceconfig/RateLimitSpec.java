package io.tollgate.referenceconfig;

import java.util.List;

/**
 * A {@code rate_limit} block as written. {@code unit} stays a string here because the reference
 * reports an unknown unit during the semantic checks, not while parsing.
 *
 * @param replaces the {@code name} of each {@code replaces} entry, empty strings kept
 * @param burst Tollgate's {@code burst} (a token bucket of {@code requests_per_unit + burst}
 *     tokens), null when absent
 */
public record RateLimitSpec(
    String unit,
    long requestsPerUnit,
    boolean unlimited,
    String name,
    List<String> replaces,
    Long burst) {

  public RateLimitSpec {
    replaces = List.copyOf(replaces);
  }

  /** A limit without a burst: a window. */
  public RateLimitSpec(
      String unit, long requestsPerUnit, boolean unlimited, String name, List<String> replaces) {
    this(unit, requestsPerUnit, unlimited, name, replaces, null);
  }
}
