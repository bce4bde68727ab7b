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
    CounterBatch batch = fixedBatch(windowStart, hits);
    store.apply(batch);
    return batch.count(0);
  }

  private static CounterBatch fixedBatch(long windowStart, long hits) {
    CounterBatch batch = new CounterBatch(1);
    batch.addFixed("c_", "c_" + windowStart, windowStart, 60, hits);
    return batch;
  }

  private CounterBatch sliding(long windowStart, long hits, long limit, long weight) {
    CounterBatch batch = slidingBatch(windowStart, hits, limit, weight);
    store.apply(batch);
    return batch;
  }

  private static CounterBatch slidingBatch(long windowStart, long hits, long limit, long weight) {
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
    return batch;
  }

  /** Peeks at {@code batch}, then applies a copy: both must give the same results. */
  private CounterBatch peekThenApply(CounterBatch peeked, CounterBatch applied) {
    store.peek(peeked);
    store.apply(applied);
    assertThat(peeked.count(0)).isEqualTo(applied.count(0));
    assertThat(peeked.previousCount(0)).isEqualTo(applied.previousCount(0));
    assertThat(peeked.applied(0)).isEqualTo(applied.applied(0));
    return peeked;
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
  void aPeekAnswersWhatApplyingWouldAndCountsNothing() {
    CounterBatch unknown = fixedBatch(960, 4);
    store.peek(unknown);
    assertThat(unknown.count(0)).isEqualTo(4);
    assertThat(store.size()).as("a peek keeps no counter").isZero();

    fixed(960, 3);
    for (int i = 0; i < 3; i++) {
      CounterBatch peek = fixedBatch(960, 100_000_000);
      store.peek(peek);
      assertThat(peek.count(0)).isEqualTo(100_000_003);
    }
    assertThat(fixed(960, 0)).as("nothing was spent").isEqualTo(3);
    peekThenApply(fixedBatch(1020, 2), fixedBatch(1020, 2));
    peekThenApply(fixedBatch(960, 1), fixedBatch(960, 1));

    sliding(1020, 8, 10, 0);
    CounterBatch refused =
        peekThenApply(slidingBatch(1080, 7, 10, 5_000), slidingBatch(1080, 7, 10, 5_000));
    assertThat(refused.applied(0)).isFalse();
    assertThat(refused.previousCount(0)).isEqualTo(8);
    CounterBatch admitted = slidingBatch(1080, 6, 10, 5_000);
    store.peek(admitted);
    assertThat(admitted.applied(0)).isTrue();
    assertThat(admitted.count(0)).isEqualTo(6);
    assertThat(sliding(1080, 0, 10, 5_000).count(0)).as("nothing was spent").isZero();
  }

  @Test
  void aPeekAtAnExpiredCounterReadsANewOne() {
    fixed(960, 3);
    clock.advance(61_000);
    CounterBatch peek = fixedBatch(960, 1);
    store.peek(peek);
    assertThat(peek.count(0)).isEqualTo(1);
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
