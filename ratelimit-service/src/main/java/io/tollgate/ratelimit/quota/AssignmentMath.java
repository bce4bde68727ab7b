package io.tollgate.ratelimit.quota;

/**
 * The assignment arithmetic, pure: from a bucket's limit, the fleet's count in the current fixed
 * window and one Envoy's share of the bucket's demand, the token bucket (or blanket rule) that
 * Envoy enforces until its next report.
 *
 * <p><b>Long windows</b> (at least {@value #SHORT_WINDOW_FACTOR} reporting intervals): the window's
 * remaining allowance {@code R = limit - counted} is split by share, {@code A = max(1, floor(share
 * * R))}, never more than what the other Envoys' last allowances leave ({@code R - reserved}: a
 * share estimate lagging a change of demand cannot hand out more than {@code R}), and paced over
 * what is left of the window, {@code rate = A / max(left, 1 s)}; the bucket holds at most {@code A}
 * minus the refill until the next report (or the window's end), at least 1, so an idle Envoy may
 * spend its share at once (as a fixed window allows) but never more than {@code A} between two
 * reports. Once the fleet's count reaches the limit the assignment is DENY_ALL until the window
 * ends. Every assignment lives until the window's end (rounded up to Envoy's whole seconds) plus a
 * second; the service pushes the next window's assignment at the boundary, and each report replaces
 * it anyway.
 *
 * <p><b>Over-admission bound</b> (per window): the service sees an Envoy's admissions only at its
 * next report, so the fleet admits at most {@code limit + sum over Envoys of what each admits in
 * one reporting interval under its last assignment}, plus one token per Envoy and report from the
 * rounding up of {@code A}. An Envoy's interval admission is at most {@code burst + rate *
 * interval}. At steady load the assignments pace the fleet to spend the limit at the window's end,
 * so the excess is the usage in flight when the limit is reached: about {@code limit * interval /
 * (2 * window)} with reports spread evenly (2 Envoys, 5 s reports, a minute's window: about 4%).
 *
 * <p><b>Short windows</b> (a per-second limit with reports every few seconds): counting cannot
 * follow them, so each Envoy gets its share of the steady rate, {@code share * limit / window},
 * with a burst of its share of one window; the fleet's count is still kept, but never denies.
 */
public final class AssignmentMath {

  /** Windows shorter than this many reporting intervals get a steady rate instead of a count. */
  public static final int SHORT_WINDOW_FACTOR = 4;

  /**
   * Every token bucket's fill interval: Envoy refills continuously at {@code tokens_per_fill /
   * fill_interval}, reads the interval in whole seconds, and compares only the interval's nanos
   * when deciding whether an assignment changed, so the interval never varies and an hour gives the
   * rate a resolution of one token per hour.
   */
  public static final long FILL_INTERVAL_SECONDS = 3600;

  /**
   * The allowance is paced over at least this long: the push at the window's end replaces the
   * assignment, so a pace for the last second does not spill into the next window.
   */
  static final long MIN_PACE_MILLIS = 1000;

  private static final long MAX_UINT32 = 0xFFFF_FFFFL;

  private final long intervalMillis;
  private final long ttlMaxSeconds;

  /**
   * @param intervalMillis how often each Envoy reports
   * @param ttlMaxSeconds longest TTL of any assignment
   */
  public AssignmentMath(long intervalMillis, long ttlMaxSeconds) {
    this.intervalMillis = intervalMillis;
    this.ttlMaxSeconds = ttlMaxSeconds;
  }

  /** Whether a window of this length is paced by the steady rate rather than counted. */
  public boolean isShortWindow(long windowMillis) {
    return windowMillis < SHORT_WINDOW_FACTOR * intervalMillis;
  }

  /**
   * The assignment for one Envoy.
   *
   * @param limit requests per window
   * @param windowMillis the window's length
   * @param nowMillis now, since the epoch
   * @param counted the fleet's admitted requests in the current window, this report included
   * @param share this Envoy's share of the bucket's demand, 0 to 1
   * @param reservedByOthers the allowances this window of the other Envoys' last assignments (those
   *     this replica knows): what they may still admit unseen
   */
  public Assignment assign(
      long limit,
      long windowMillis,
      long nowMillis,
      long counted,
      double share,
      long reservedByOthers) {
    if (isShortWindow(windowMillis)) {
      return steady(limit, windowMillis, share);
    }
    long windowEnd = Math.floorDiv(nowMillis, windowMillis) * windowMillis + windowMillis;
    long leftMillis = windowEnd - nowMillis;
    long ttl = Math.min(ttlMaxSeconds, ceilSeconds(leftMillis) + 1);
    long remaining = limit - counted;
    if (remaining <= 0) {
      return Assignment.denyAll(ttl);
    }
    long free = remaining - reservedByOthers;
    if (free <= 0) {
      return Assignment.denyAll(ttl);
    }
    long allowance = Math.min(free, Math.max(1, (long) Math.floor(clampShare(share) * remaining)));
    double rate = allowance * 1000.0 / Math.max(leftMillis, MIN_PACE_MILLIS);
    // A burst of one second's tokens: bursts are what the service cannot see until the next
    // report, so larger ones would be admitted by every Envoy at once (the over-admission bound).
    long refill = (long) Math.ceil(rate * Math.min(intervalMillis, leftMillis) / 1000.0);
    return tokenBucket(rate, Math.min(allowance - refill, (long) Math.floor(rate)), ttl, allowance);
  }

  /**
   * The assignment while the count is unavailable (the store failed): this Envoy's share of the
   * steady rate, as for a short window.
   */
  public Assignment steady(long limit, long windowMillis, double share) {
    double portion = clampShare(share) * limit;
    if (portion <= 0) {
      return Assignment.denyAll(steadyTtl());
    }
    double rate = portion * 1000.0 / windowMillis;
    return tokenBucket(
        rate, (long) Math.floor(Math.min(portion, Math.max(rate, 1))), steadyTtl(), 0);
  }

  /** TTL of an assignment that does not end with a window: two reports' worth. */
  public long steadyTtl() {
    return Math.max(1, Math.min(ttlMaxSeconds, ceilSeconds(2 * intervalMillis)));
  }

  private static Assignment tokenBucket(
      double ratePerSecond, long burst, long ttl, long allowance) {
    long perFill = (long) Math.floor(ratePerSecond * FILL_INTERVAL_SECONDS);
    return Assignment.tokenBucket(
        Math.min(MAX_UINT32, Math.max(1, burst)),
        Math.min(MAX_UINT32, Math.max(1, perFill)),
        FILL_INTERVAL_SECONDS,
        Math.max(1, ttl),
        allowance);
  }

  private static double clampShare(double share) {
    return Double.isNaN(share) ? 1 : Math.max(0, Math.min(1, share));
  }

  static long ceilSeconds(long millis) {
    return Math.floorDiv(millis + 999, 1000);
  }
}
