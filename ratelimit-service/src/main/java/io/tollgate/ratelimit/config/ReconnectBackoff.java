package io.tollgate.ratelimit.config;

import io.tollgate.ratelimit.settings.Settings;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The pause before each attempt to reopen the xDS stream ({@code XDS_CLIENT_BACKOFF_*}): doubling
 * from the initial interval, capped at the maximum, spread by the random factor when jitter is on,
 * and back to the initial interval once a response arrives. The cap bounds how long after a
 * restarted control plane is ready the service can still be waiting: {@link #worstCase()}.
 */
final class ReconnectBackoff {

  private final Duration initial;
  private final Duration max;
  private final double spread;
  private final DoubleSupplier random;
  private Duration next;

  /**
   * @param random uniform in [0, 1)
   */
  ReconnectBackoff(Settings.Xds settings, DoubleSupplier random) {
    this.initial = settings.backoffInitial();
    this.max = settings.backoffMax().compareTo(initial) < 0 ? initial : settings.backoffMax();
    this.spread = settings.backoffJitter() ? settings.backoffRandomFactor() : 0;
    this.random = random;
    this.next = initial;
  }

  /** The pause before the next attempt; each call without a {@link #reset()} doubles it. */
  synchronized Duration nextDelay() {
    long base = next.toMillis();
    next = next.multipliedBy(2).compareTo(max) <= 0 ? next.multipliedBy(2) : max;
    return Duration.ofMillis(Math.round(base * (1 - spread + random.getAsDouble() * 2 * spread)));
  }

  /** A response arrived: the stream works, so the next break starts from the initial interval. */
  synchronized void reset() {
    next = initial;
  }

  /** The longest pause {@link #nextDelay()} can return. */
  Duration worstCase() {
    return Duration.ofMillis(Math.round(max.toMillis() * (1 + spread)));
  }
}
