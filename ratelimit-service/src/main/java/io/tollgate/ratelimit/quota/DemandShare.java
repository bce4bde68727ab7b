package io.tollgate.ratelimit.quota;

/**
 * One Envoy's share of a bucket's demand across the fleet, exponentially smoothed. A sample is the
 * demand (allowed + denied) the Envoy reported over the fleet's demand counted in the store since
 * this Envoy's previous report (its own report included), so every replica of the service, reading
 * the same store, sees the same fleet. Pure.
 */
public final class DemandShare {

  private DemandShare() {}

  /**
   * The smoothed share after one sample.
   *
   * @param previous the share so far, NaN for a stream's first report of the bucket
   * @param own the demand this Envoy reported
   * @param fleet the fleet's demand over the same span, {@code own} included; not positive when
   *     unknown (the counter was lost), which keeps the share
   * @param alpha the new sample's weight, 0 (exclusive) to 1
   */
  public static double update(double previous, long own, long fleet, double alpha) {
    if (fleet <= 0) {
      return Double.isNaN(previous) ? 1 : previous;
    }
    double sample = Math.min(1, Math.max(0, (double) own / fleet));
    return Double.isNaN(previous) ? sample : alpha * sample + (1 - alpha) * previous;
  }
}
