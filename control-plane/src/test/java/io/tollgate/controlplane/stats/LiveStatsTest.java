package io.tollgate.controlplane.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tollgate.controlplane.ControlPlaneSettings;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LiveStatsTest {

  private static final long MINUTE = 60_000;
  private static final long T0 = 1_800_000_000_000L - 1_800_000_000_000L % MINUTE;

  static ControlPlaneSettings.Stats settings(int bufferedMinutes) {
    return new ControlPlaneSettings.Stats(
        Duration.ofSeconds(10),
        4,
        1000,
        100,
        bufferedMinutes,
        Duration.ofDays(7),
        Duration.ofDays(400),
        10_000);
  }

  static AccessRecord entry(int status, String path, String ip, String rule, long latencyMicros) {
    return new AccessRecord(
        status,
        "GET",
        path,
        ip,
        "mock",
        rule != null,
        rule,
        rule == null ? null : "5/minute",
        latencyMicros,
        "id",
        0,
        List.of(),
        List.of(),
        false,
        null,
        1);
  }

  @Test
  void sealsBucketsIntoMinutesAndFlushesOnlyCompletedOnes() {
    AtomicLong now = new AtomicLong(T0);
    LiveStats live = new LiveStats(settings(60), now::get);
    for (int i = 0; i < 30; i++) {
      live.record(entry(200, "/a", "10.0.0.1", null, 1000));
    }
    live.record(entry(429, "/a", "10.0.0.2", "per-ip", 50));
    now.set(T0 + 15_000);
    live.tick(false);
    live.record(entry(404, "/b", "10.0.0.1", null, 2000));

    // Everything is visible before any flush: the sealed part of minute T0 and the open bucket.
    Aggregate seen = readAll(live, T0, T0 + MINUTE);
    assertThat(seen.requests()).isEqualTo(32);
    assertThat(seen.rateLimited()).isEqualTo(1);
    assertThat(asMap(seen, Dimension.STATUS)).containsEntry("200", 30L).containsEntry("404", 1L);
    assertThat(asMap(seen, Dimension.RULE)).containsEntry("per-ip", 1L).hasSize(1);

    List<Long> written = new ArrayList<>();
    assertThat(live.flush((start, a) -> written.add(start)).written()).isZero();

    now.set(T0 + MINUTE + 1);
    live.tick(false);
    List<Aggregate> minutes = new ArrayList<>();
    LiveStats.FlushResult r =
        live.flush(
            (start, a) -> {
              written.add(start);
              minutes.add(a);
            });
    assertThat(r.written()).isEqualTo(1);
    assertThat(written).containsExactly(T0);
    assertThat(minutes.get(0).requests()).isEqualTo(32);
    assertThat(minutes.get(0).latency().getValueAtPercentile(50)).isCloseTo(1000, within(10L));
    // Once written, a minute is no longer in memory: queries take it from the database alone.
    assertThat(readAll(live, T0, T0 + MINUTE).requests()).isZero();
  }

  /** TOLLGATE_ACCESSLOG_SAMPLE_ONE_IN: a sampled entry counts its weight everywhere but once. */
  @Test
  void aSampledEntryCountsItsWeightInEveryTotalKeyAndLatency() {
    AtomicLong now = new AtomicLong(T0);
    LiveStats live = new LiveStats(settings(60), now::get);
    AccessRecord sampled = entry(200, "/a", "10.0.0.1", null, 1000);
    for (int i = 0; i < 3; i++) {
      live.record(withWeight(sampled, 10));
    }
    live.record(entry(429, "/a", "10.0.0.2", "per-ip", 50));
    now.set(T0 + 15_000);

    Aggregate sealed = live.tick(false);
    assertThat(sealed.requests()).isEqualTo(31);
    assertThat(sealed.entries()).isEqualTo(4);
    assertThat(sealed.rateLimited()).isEqualTo(1);
    assertThat(asMap(sealed, Dimension.STATUS)).containsEntry("200", 30L).containsEntry("429", 1L);
    assertThat(asMap(sealed, Dimension.IP)).containsEntry("10.0.0.1", 30L);
    assertThat(asMap(sealed, Dimension.PATH)).containsEntry("/a", 31L);
    assertThat(sealed.latency().getTotalCount()).isEqualTo(31);
    assertThat(sealed.latency().getValueAtPercentile(50)).isCloseTo(1000, within(10L));
    assertThat(readAll(live, T0, T0 + MINUTE).requests()).isEqualTo(31);
  }

  private static AccessRecord withWeight(AccessRecord r, int weight) {
    return new AccessRecord(
        r.status(),
        r.method(),
        r.path(),
        r.clientIp(),
        r.upstream(),
        r.rateLimited(),
        r.rule(),
        r.limit(),
        r.latencyMicros(),
        r.requestId(),
        r.startMillis(),
        r.shadowRules(),
        r.countedRules(),
        r.cacheHit(),
        r.access(),
        weight);
  }

  @Test
  void everyRuleThatCountedACallHasItAsAHitWhetherItPassedOrWasBlocked() {
    AtomicLong now = new AtomicLong(T0);
    LiveStats live = new LiveStats(settings(60), now::get);
    // Five calls at per-ip's 3/minute: three pass, two are blocked; per-path counted all five.
    for (int i = 0; i < 5; i++) {
      boolean blocked = i >= 3;
      live.record(
          new AccessRecord(
              blocked ? 429 : 200,
              "GET",
              "/a",
              "10.0.0.1",
              "mock",
              blocked,
              blocked ? "per-ip" : null,
              blocked ? "3/minute" : null,
              100,
              "id-" + i,
              T0,
              List.of(),
              List.of("per-ip", "per-path"),
              false,
              null,
              1));
    }
    live.record(entry(200, "/b", "10.0.0.2", null, 100));
    now.set(T0 + 15_000);
    live.tick(false);

    Aggregate seen = readAll(live, T0, T0 + MINUTE);
    assertThat(seen.keys(Dimension.RULE_HIT))
        .containsExactlyInAnyOrder(new KeyCount("per-ip", 5, 2), new KeyCount("per-path", 5, 2));
    assertThat(seen.keys(Dimension.RULE)).containsExactly(new KeyCount("per-ip", 2, 2));
    assertThat(seen.requests()).isEqualTo(6);
  }

  @Test
  void whileTheDatabaseIsDownKeepsABoundedNumberOfMinutesThenDropsAndCounts() {
    AtomicLong now = new AtomicLong(T0);
    LiveStats live = new LiveStats(settings(3), now::get);
    LiveStats.FlushResult last = null;
    for (int m = 0; m < 6; m++) {
      live.record(entry(200, "/a", "10.0.0.1", null, 10));
      now.addAndGet(MINUTE);
      live.tick(false);
      last =
          live.flush(
              (start, a) -> {
                throw new IllegalStateException("database down");
              });
    }
    assertThat(last.failure()).hasMessage("database down");
    assertThat(live.pendingMinutes()).isEqualTo(3);
    List<Long> written = new ArrayList<>();
    LiveStats.FlushResult back = live.flush((start, a) -> written.add(start));
    assertThat(back.written()).isEqualTo(3);
    assertThat(written).containsExactly(T0 + 3 * MINUTE, T0 + 4 * MINUTE, T0 + 5 * MINUTE);
  }

  /**
   * A million distinct IPs and paths, with ten heavy hitters taking 1% of the traffic each: heap
   * growth stays under 16 MiB (keeping every key would take well over 200 MiB), and the heavy
   * hitters come out with exact counts.
   */
  @Test
  void memoryIsBoundedAndHeavyHittersAreExact() {
    AtomicLong now = new AtomicLong(T0);
    long before = usedHeapAfterGc();
    LiveStats live = new LiveStats(settings(60), now::get);
    int total = 1_100_000;
    for (int i = 0; i < total; i++) {
      // Spread over five buckets of the same minute, so sketches are sealed and merged.
      now.set(T0 + (long) i * 50_000 / total);
      live.tick(false);
      if (i % 10 == 0) {
        int h = (i / 10) % 10;
        live.record(
            entry(h == 0 ? 429 : 200, "/hot/" + h, "192.0.2." + h, h == 0 ? "hot" : null, 100));
      } else {
        live.record(
            entry(
                200,
                "/items/MLA" + i,
                "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255),
                null,
                100));
      }
    }
    long after = usedHeapAfterGc();
    assertThat(after - before).as("heap growth in bytes").isLessThan(16L << 20);

    now.set(T0 + MINUTE);
    live.tick(false);
    List<Aggregate> minutes = new ArrayList<>();
    live.flush((start, a) -> minutes.add(a));
    Aggregate minute = minutes.get(0);
    assertThat(minute.requests()).isEqualTo(total);
    Map<String, Long> ips = asMap(minute, Dimension.IP);
    Map<String, Long> paths = asMap(minute, Dimension.PATH);
    for (int h = 0; h < 10; h++) {
      assertThat(ips).containsEntry("192.0.2." + h, 11_000L);
      assertThat(paths).containsEntry("/hot/" + h, 11_000L);
    }
    assertThat(minute.keys(Dimension.IP).get(0).requests())
        .as("(other) first")
        .isGreaterThan(900_000);
    assertThat(ips.size()).isLessThanOrEqualTo(100);
    assertThat(ips.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(total);
    assertThat(minute.keys(Dimension.RULE)).containsExactly(new KeyCount("hot", 11_000, 11_000));
    live.hashCode(); // keep it reachable until after the measurement
  }

  private static Aggregate readAll(LiveStats live, long from, long to) {
    return live.read(
        from,
        to,
        found -> {
          Aggregate sum = new Aggregate();
          found.forEach(m -> sum.merge(m.counts()));
          return sum;
        });
  }

  private static Map<String, Long> asMap(Aggregate a, Dimension d) {
    return a.keys(d).stream().collect(Collectors.toMap(KeyCount::key, KeyCount::requests));
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
