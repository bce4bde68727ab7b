package io.tollgate.controlplane.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpaceSavingTest {

  @Test
  void countsExactlyWhileUnderCapacity() {
    SpaceSaving s = new SpaceSaving(10);
    for (int i = 0; i < 100; i++) {
      s.add("k" + (i % 5), i % 2 == 0);
    }
    Map<String, Long> counts = new HashMap<>();
    s.forEach(
        c -> {
          assertThat(c.error()).isZero();
          counts.put(c.key(), c.count());
        });
    assertThat(counts).hasSize(5).containsEntry("k0", 20L).containsEntry("k4", 20L);
    assertThat(s.total()).isEqualTo(100);
    assertThat(s.totalRateLimited()).isEqualTo(50);
  }

  @Test
  void keepsEveryKeyAboveTheThresholdWithABoundedError() {
    int capacity = 50;
    SpaceSaving s = new SpaceSaving(capacity);
    Random random = new Random(7);
    Map<String, Long> truth = new HashMap<>();
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      // Zipf-like: a few keys take most of the traffic, a long tail of singletons.
      String key =
          random.nextInt(4) == 0 ? "tail" + i : "hot" + (int) Math.sqrt(random.nextInt(400));
      s.add(key, false);
      truth.merge(key, 1L, Long::sum);
    }
    Map<String, SpaceSaving.Counter> kept = new HashMap<>();
    s.forEach(c -> kept.put(c.key(), c));
    assertThat(s.size()).isEqualTo(capacity);
    truth.forEach(
        (key, count) -> {
          if (count > n / capacity) {
            assertThat(kept).containsKey(key);
          }
          SpaceSaving.Counter c = kept.get(key);
          if (c != null) {
            assertThat(c.guaranteed()).isLessThanOrEqualTo(count);
            assertThat(c.count()).isGreaterThanOrEqualTo(count);
            assertThat(c.error()).isLessThanOrEqualTo(n / capacity);
          }
        });
  }
}
