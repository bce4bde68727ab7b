package io.tollgate.controlplane.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpaceSavingTest {

  @Test
  void countsExactlyWhileUnderCapacity() {
    SpaceSaving s = new SpaceSaving(10);
    for (int i = 0; i < 100; i++) {
      s.add("k" + (i % 5), i % 2 == 0, 1);
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
      s.add(key, false, 1);
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

  @Test
  void aWeightedAddCountsAsThatManyAddsOfOne() {
    SpaceSaving weighted = new SpaceSaving(2);
    SpaceSaving unit = new SpaceSaving(2);
    // No ties for the smallest counter, so both replace the same key at each step.
    String[] keys = {"a", "a", "a", "b", "c", "d"};
    for (String key : keys) {
      weighted.add(key, key.equals("a"), 10);
      for (int i = 0; i < 10; i++) {
        unit.add(key, key.equals("a"), 1);
      }
    }
    Map<String, List<Long>> w = new HashMap<>();
    Map<String, List<Long>> u = new HashMap<>();
    weighted.forEach(c -> w.put(c.key(), List.of(c.count(), c.error(), c.rateLimited())));
    unit.forEach(c -> u.put(c.key(), List.of(c.count(), c.error(), c.rateLimited())));
    assertThat(w).isEqualTo(u).containsEntry("a", List.of(30L, 0L, 30L)).containsKey("d");
    assertThat(weighted.total()).isEqualTo(60);
    assertThat(weighted.totalRateLimited()).isEqualTo(30);
  }
}
