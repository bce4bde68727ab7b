package io.tollgate.ratelimit.quota;

import io.tollgate.ratelimit.settings.Settings;

/**
 * One Envoy's view of one bucket: its smoothed share of the fleet's demand and the window it last
 * counted in, turned into an assignment per report by {@link AssignmentMath}. Pure (the counts come
 * from the store, the time from the caller); not thread-safe, a stream uses it one report at a
 * time.
 */
public final class BucketAssigner {

  private final AssignmentMath math;
  private final double smoothing;
  private double share = Double.NaN;
  private boolean seen;
  private long demandSeen;
  private long windowEnd;

  /**
   * @param smoothing {@code RLQS_SHARE_SMOOTHING}, the newest demand sample's weight
   */
  public BucketAssigner(AssignmentMath math, double smoothing) {
    this.math = math;
    this.smoothing = smoothing;
  }

  /**
   * The assignment after a report has been counted.
   *
   * @param limit requests per window
   * @param windowMillis the window's length
   * @param nowMillis when the report was counted
   * @param ownDemand the demand (allowed + denied) this Envoy reported
   * @param fleetDemand the fleet's demand counter after this report (it only grows, across windows,
   *     until the bucket idles; a smaller value than last time means it was lost)
   * @param counted the fleet's admitted requests in the current window after this report
   * @param others what the other Envoys' last assignments hold this window ({@link Reservations})
   */
  public Assignment report(
      long limit,
      long windowMillis,
      long nowMillis,
      long ownDemand,
      long fleetDemand,
      long counted,
      Reservations.Reserved others) {
    if (!seen) {
      // The first report only sets the demand baseline (the counter's history is not this
      // Envoy's span): an even split with the Envoys this replica knows, and not capped by their
      // allowances, which were sized before this Envoy came (so it is not shut out until they
      // next report; they correct at their next reports, within one interval).
      seen = true;
      demandSeen = fleetDemand;
      share = 1.0 / (1 + others.holders());
      return push(limit, windowMillis, nowMillis, counted, Reservations.Reserved.NONE);
    }
    share = DemandShare.update(share, ownDemand, fleetDemand - demandSeen, smoothing);
    demandSeen = fleetDemand;
    return push(limit, windowMillis, nowMillis, counted, others);
  }

  /**
   * The assignment the service pushes unasked (a window ended): the share stays, so the next
   * report's demand sample spans exactly the time since this Envoy's previous report.
   */
  public Assignment push(
      long limit, long windowMillis, long nowMillis, long counted, Reservations.Reserved others) {
    windowEnd =
        math.isShortWindow(windowMillis)
            ? 0
            : Math.floorDiv(nowMillis, windowMillis) * windowMillis + windowMillis;
    return math.assign(limit, windowMillis, nowMillis, counted, share, others.allowance());
  }

  /** The assignment when the store failed or missed its deadline. */
  public Assignment storeFailed(long limit, long windowMillis, Settings.QuotaStoreFailure mode) {
    return switch (mode) {
      case SHARE -> math.steady(limit, windowMillis, share);
      case ALLOW -> Assignment.allowAll(math.steadyTtl());
      case DENY -> Assignment.denyAll(math.steadyTtl());
    };
  }

  /** End of the window last counted, when the service pushes the next one's assignment; else 0. */
  public long windowEnd() {
    return windowEnd;
  }

  /** This Envoy's smoothed share of the bucket's demand; NaN before its first report. */
  public double share() {
    return share;
  }
}
