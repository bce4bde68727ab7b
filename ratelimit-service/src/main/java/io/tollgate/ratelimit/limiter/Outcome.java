package io.tollgate.ratelimit.limiter;

import io.tollgate.ratelimit.config.RateLimitPolicy;

/**
 * The decision for one descriptor of a call.
 *
 * @param policy the limit that applied; null when none did (no match, unlimited, replaced)
 * @param unlimited the descriptor matched an {@code unlimited} limit
 * @param overLimit the counter is over the limit, whether or not shadow mode lets the call pass
 * @param enforced {@code overLimit} and not in shadow mode: the status says OVER_LIMIT
 * @param remaining calls left in the window (0 when over)
 * @param resetSeconds seconds until the window resets, or until a call would pass again when over
 */
public record Outcome(
    RateLimitPolicy policy,
    boolean unlimited,
    boolean overLimit,
    boolean enforced,
    long remaining,
    long resetSeconds) {

  static final Outcome NO_LIMIT = new Outcome(null, false, false, false, 0, 0);
  static final Outcome UNLIMITED = new Outcome(null, true, false, false, 0, 0);
}
