package io.tollgate.ratelimit.quota;

/**
 * Which window a report's admitted requests count in. A report covers the time since the Envoy's
 * previous one; when a window began in between, the part of the usage proportional to the time
 * before the boundary counts in the previous window, where the requests were (on average) made, as
 * the exact tier counts each request in the window of its call. Without this, the last interval of
 * every window would count in the next one, and the fleet would never reach its limit in the window
 * it spends it in.
 */
public final class UsageSplit {

  private UsageSplit() {}

  /**
   * The part of {@code allowed} that counts in the window before {@code windowStart}.
   *
   * @param previousReport when the Envoy last reported the bucket (ms), {@code Long.MIN_VALUE} for
   *     none
   * @param windowStart start of the window the report arrives in (ms)
   * @param now the report's arrival (ms)
   */
  public static long previousWindowPart(
      long allowed, long previousReport, long windowStart, long now) {
    if (allowed <= 0 || previousReport == Long.MIN_VALUE || previousReport >= windowStart) {
      return 0;
    }
    long span = now - previousReport;
    if (span <= 0) {
      return 0;
    }
    double before = Math.min(span, windowStart - previousReport);
    return Math.round(allowed * before / span);
  }
}
