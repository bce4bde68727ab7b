package io.tollgate.ratelimit.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tollgate.ratelimit.MutableClock;
import org.junit.jupiter.api.Test;

/** The in-memory store keeps one slot per counter, whose windows roll over inside it. */
class MemoryCounterStoreTest {

  private final MutableClock clock = new MutableClock(1_000_000);
  private final MemoryCounterStore store =
      new MemoryCounterStore(100, clock, new SimpleMeterRegistry());

  private long fixed(long windowStart, long hits) {
    CounterBatch batch = new CounterBatch(1);
    batch.addFixed("c_", "c_" + windowStart, windowStart, 60, hits);
    store.apply(batch);
    return batch.count(0);
  }

  private CounterBatch sliding(long windowStart, long hits, long limit, long weight) {
    CounterBatch batch = new CounterBatch(1);
    batch.addSliding(
        "{c_}",
        "{c_}" + windowStart,
        "{c_}" + (windowStart - 60),
        windowStart,
        60,
        hits,
        limit,
        weight);
    store.apply(batch);
    return batch;
  }

  @Test
  void aCounterKeepsOneSlotAcrossWindowsAndRestartsEachWindow() {
    assertThat(fixed(960, 2)).isEqualTo(2);
    assertThat(fixed(960, 3)).isEqualTo(5);
    assertThat(fixed(1020, 1)).isEqualTo(1);
    assertThat(fixed(1080, 4)).isEqualTo(4);
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void aCallStampedInThePreviousWindowCountsThereAndOlderOnesCountAlone() {
    fixed(960, 5);
    fixed(1020, 1);
    assertThat(fixed(960, 1)).isEqualTo(6);
    assertThat(fixed(900, 2)).isEqualTo(2);
    assertThat(fixed(1020, 1)).isEqualTo(2);
  }

  @Test
  void aSlidingWindowSeesThePreviousWindowOnlyWhenItIsTheOneJustBefore() {
    sliding(960, 8, 100, 0);
    CounterBatch next = sliding(1020, 1, 100, 5_000);
    assertThat(next.previousCount(0)).isEqualTo(8);
    assertThat(next.count(0)).isEqualTo(1);
    CounterBatch afterAGap = sliding(1140, 1, 100, 5_000);
    assertThat(afterAGap.previousCount(0)).isZero();
  }

  @Test
  void aSlidingWindowDoesNotCountARefusedCall() {
    sliding(960, 10, 10, 0);
    // 10 of the previous window weighted at one half: 5, so 6 more would exceed 10.
    CounterBatch refused = sliding(1020, 6, 10, 5_000);
    assertThat(refused.applied(0)).isFalse();
    assertThat(refused.count(0)).isZero();
    CounterBatch admitted = sliding(1020, 5, 10, 5_000);
    assertThat(admitted.applied(0)).isTrue();
    assertThat(admitted.count(0)).isEqualTo(5);
  }

  @Test
  void anIdleCounterExpiresAndIsSwept() {
    fixed(960, 3);
    clock.advance(61_000);
    store.sweep();
    assertThat(store.size()).isZero();
    assertThat(fixed(1020, 1)).isEqualTo(1);
  }
}
