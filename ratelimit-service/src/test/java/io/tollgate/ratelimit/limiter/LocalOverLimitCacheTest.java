package io.tollgate.ratelimit.limiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.ratelimit.MutableClock;
import org.junit.jupiter.api.Test;

/** The local over-limit cache: bounded, expiring at each counter's window end, flood-proof. */
class LocalOverLimitCacheTest {

  private static final long WINDOW_START = 1_700_000_040_000L;
  private static final long WINDOW_END = WINDOW_START + 60_000;

  private final MutableClock clock = new MutableClock(WINDOW_START + 50_000);

  @Test
  void anEntryLastsUntilItsWindowEndsAndNoLonger() {
    LocalOverLimitCache cache = new LocalOverLimitCache(160 * 10, clock);
    cache.markOverLimit("d_ip_1_" + WINDOW_START / 1000, WINDOW_END);

    clock.set(WINDOW_END - 1);
    assertThat(cache.isOverLimit("d_ip_1_" + WINDOW_START / 1000)).isTrue();
    // Ten seconds after it was marked, its window is over: the next call must reach the store.
    clock.set(WINDOW_END);
    assertThat(cache.isOverLimit("d_ip_1_" + WINDOW_START / 1000)).isFalse();
    assertThat(cache.size()).isZero();
  }

  @Test
  void aFloodOfDistinctKeysStaysWithinTheBoundAndKeepsTheHotKey() {
    LocalOverLimitCache cache = new LocalOverLimitCache(160 * 1_000, clock);
    int hotMisses = 0;
    // A client hammering one over-limit key while a flood of one-off keys (each over its limit
    // once) passes: the hot key is asked once per ten flood keys, as it would be under load.
    for (int i = 0; i < 200_000; i++) {
      cache.markOverLimit("flood-" + i, WINDOW_END);
      if (i % 10 == 0 && !cache.isOverLimit("hot")) {
        cache.markOverLimit("hot", WINDOW_END);
        hotMisses += i >= 5_000 ? 1 : 0;
      }
    }
    assertThat(cache.size()).isLessThanOrEqualTo(1_000);
    // Once the cache has seen the traffic, the hot key is never pushed out by the flood.
    assertThat(hotMisses).isZero();
  }

  @Test
  void aZeroBudgetDisablesIt() {
    LocalOverLimitCache cache = new LocalOverLimitCache(159, clock);
    cache.markOverLimit("k", WINDOW_END);
    assertThat(cache.enabled()).isFalse();
    assertThat(cache.isOverLimit("k")).isFalse();
  }
}
