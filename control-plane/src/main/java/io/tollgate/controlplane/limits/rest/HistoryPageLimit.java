package io.tollgate.controlplane.limits.rest;

import io.tollgate.controlplane.limits.store.LimitsProblem;
import org.springframework.http.HttpStatus;

/**
 * The {@code ?limit=} of a history page, the same bound on every managed resource (limit rules,
 * access entries, upstreams and routes): 1 to {@link #MAX} entries, or a 400 naming {@code limit}.
 */
public final class HistoryPageLimit {

  /** The largest page of history one request returns. */
  public static final int MAX = 1000;

  /** The page size when {@code ?limit=} is absent. */
  public static final int DEFAULT = 100;

  private HistoryPageLimit() {}

  /** {@code limit} when it is within the bound. */
  public static int check(int limit) {
    if (limit < 1 || limit > MAX) {
      throw outOfBounds(Integer.toString(limit));
    }
    return limit;
  }

  /**
   * The raw parameter read by hand: absent is {@link #DEFAULT}; empty or not an integer is refused
   * as one out of bounds (Spring's defaultValue would take an empty one for the default).
   */
  static int parse(String limit) {
    if (limit == null) {
      return DEFAULT;
    }
    try {
      return check(Integer.parseInt(limit));
    } catch (NumberFormatException e) {
      throw outOfBounds(limit);
    }
  }

  private static LimitsProblem outOfBounds(String limit) {
    return new LimitsProblem(
        HttpStatus.BAD_REQUEST,
        "limit",
        "must be an integer from 1 to " + MAX + ", not '" + limit + "'");
  }
}
