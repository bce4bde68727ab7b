package io.tollgate.referenceconfig;

import java.util.List;

/**
 * A {@code rate_limit} block as written. {@code unit} stays a string here because the reference
 * reports an unknown unit during the semantic checks, not while parsing.
 *
 * @param replaces the {@code name} of each {@code replaces} entry, empty strings kept
 */
public record RateLimitSpec(
    String unit, long requestsPerUnit, boolean unlimited, String name, List<String> replaces) {

  public RateLimitSpec {
    replaces = List.copyOf(replaces);
  }
}
