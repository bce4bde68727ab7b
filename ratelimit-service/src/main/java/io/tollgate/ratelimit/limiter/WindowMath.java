package io.tollgate.ratelimit.limiter;

import io.tollgate.ratelimit.store.CounterBatch;

/**
 * The arithmetic of both algorithms, in milliseconds since the epoch, kept pure for tests.
 *
 * <p>Fixed window: windows are aligned to the epoch ({@code [k*W, (k+1)*W)}); the count is the
 * window's. Sliding window (a sliding-window counter): at {@code e} ms into the current window, the
 * estimate is {@code current + ceil(previous * (W - e) / W)}: the previous window weighted by the
 * part of it still inside the sliding window, rounded up so the estimate never undercounts.
 *
 * <p>Worst case of the sliding window, which its test checks: a call is admitted only while the
 * estimate stays within the limit {@code L}, and no fixed window admits more than {@code L}. So for
 * any interval of length {@code W} that ends {@code f*W} into a fixed window ({@code 0 <= f < 1}),
 * at most {@code L * (1 + f)} calls are admitted: just after a boundary (f near 0) hardly more than
 * {@code L}, where a fixed window admits up to {@code 2L} at any f. The bound approaches 2L only
 * for a burst at the very end of one window followed by one at the very end of the next.
 */
public final class WindowMath {

  private WindowMath() {}

  /** Start of the fixed window of length {@code windowMillis} holding {@code nowMillis}. */
  public static long windowStart(long nowMillis, long windowMillis) {
    return Math.floorDiv(nowMillis, windowMillis) * windowMillis;
  }

  /** Whole seconds until the current fixed window ends, as the reference reports it. */
  public static long secondsToWindowEnd(long nowMillis, long windowSeconds) {
    long nowSeconds = Math.floorDiv(nowMillis, 1000);
    return windowSeconds - Math.floorMod(nowSeconds, windowSeconds);
  }

  /**
   * The previous window's weight {@code e} ms into the current one, in units of 1/{@value
   * CounterBatch#WEIGHT_SCALE}, rounded up.
   */
  public static long previousWeight(long elapsedMillis, long w) {
    return ((w - elapsedMillis) * CounterBatch.WEIGHT_SCALE + w - 1) / w;
  }

  /**
   * Whole seconds (at least 1) until a sliding window would admit one more call, assuming no
   * further calls arrive: first the previous window's weight decays; if the current window alone is
   * at the limit, its count has to decay as the next window's previous.
   */
  public static long slidingRetrySeconds(
      long current, long previous, long elapsedMillis, long w, long limit) {
    long waitMillis;
    if (limit <= 0) {
      return Math.max(1, ceilSeconds(w - elapsedMillis));
    }
    if (current <= limit - 1) {
      // current + previous * (w - e) / w <= limit - 1  <=>  e >= w - (limit - 1 - current) * w / p
      double e = w - (double) (limit - 1 - current) * w / Math.max(1, previous);
      waitMillis = (long) Math.ceil(Math.max(0, e - elapsedMillis));
    } else {
      // Next window: current * (w - e) / w <= limit - 1  <=>  e >= w * (1 - (limit - 1) / current)
      double e = w * (1 - (double) (limit - 1) / current);
      waitMillis = (w - elapsedMillis) + (long) Math.ceil(e);
    }
    return Math.max(1, ceilSeconds(waitMillis));
  }

  private static long ceilSeconds(long millis) {
    return Math.floorDiv(millis + 999, 1000);
  }
}
