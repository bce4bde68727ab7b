package io.tollgate.ratelimit.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tollgate.ratelimit.MutableClock;
import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.testsupport.RedisServer;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis store's peek against a real {@code redis-server}: it answers what applying would, in
 * one round trip, and writes nothing (no key is created, no count changes). And the token bucket's
 * Lua script against the in-memory store's Java, step by step on a walking clock.
 */
class RedisCounterStorePeekIT {

  private static RedisServer redis;
  private static RedisCounterStore store;

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    Settings settings =
        Settings.fromEnv(
            Map.of(
                "BACKEND_TYPE", "redis",
                "REDIS_SOCKET_TYPE", "tcp",
                "REDIS_URL", redis.address()));
    store = new RedisCounterStore(settings.redis(), 0);
  }

  @AfterAll
  static void stop() {
    if (store != null) {
      store.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private static CounterBatch fixed(String key, long hits) {
    CounterBatch batch = new CounterBatch(1);
    batch.addFixed(key, key + "_960", 960, 60, hits);
    return batch;
  }

  private static CounterBatch sliding(String key, long windowStart, long hits, long weight) {
    CounterBatch batch = new CounterBatch(1);
    batch.addSliding(
        "{" + key + "}",
        "{" + key + "}" + windowStart,
        "{" + key + "}" + (windowStart - 60),
        windowStart,
        60,
        hits,
        10,
        weight);
    return batch;
  }

  /** 100 a minute with a burst of 20, at {@code nowMillis}. */
  private static CounterBatch bucket(String key, long hits, long nowMillis) {
    CounterBatch batch = new CounterBatch(1);
    batch.addBucket("{" + key + "}bucket", 60, 100, 120, hits, nowMillis);
    return batch;
  }

  private static CounterBatch run(CounterBatch batch, boolean peek) throws Exception {
    (peek ? store.peek(batch) : store.apply(batch)).get(5, TimeUnit.SECONDS);
    return batch;
  }

  @Test
  void aFixedWindowPeekAddsTheHitsToTheCountWithoutWritingThem() throws Exception {
    assertThat(run(fixed("unknown", 4), true).count(0)).isEqualTo(4);
    assertThat(redis.cli("EXISTS", "unknown_960").trim()).isEqualTo("0");

    run(fixed("spent", 3), false);
    for (int i = 0; i < 3; i++) {
      assertThat(run(fixed("spent", 100_000_000), true).count(0)).isEqualTo(100_000_003);
    }
    assertThat(redis.cli("GET", "spent_960").trim()).isEqualTo("3");
    assertThat(run(fixed("spent", 2), true).count(0))
        .isEqualTo(run(fixed("spent", 2), false).count(0));
  }

  @Test
  void aSlidingWindowPeekJudgesAsTheScriptDoesWithoutCounting() throws Exception {
    run(sliding("s", 1020, 8, 0), false);
    // 8 in the previous window weighted at one half: 4, so 7 more would exceed 10 and 6 would not.
    CounterBatch refused = run(sliding("s", 1080, 7, 5_000), true);
    assertThat(refused.applied(0)).isFalse();
    assertThat(refused.previousCount(0)).isEqualTo(8);
    assertThat(refused.count(0)).isZero();
    CounterBatch admitted = run(sliding("s", 1080, 6, 5_000), true);
    assertThat(admitted.applied(0)).isTrue();
    assertThat(admitted.count(0)).isEqualTo(6);
    assertThat(redis.cli("EXISTS", "{s}1080").trim()).isEqualTo("0");

    CounterBatch applied = run(sliding("s", 1080, 6, 5_000), false);
    assertThat(applied.count(0)).isEqualTo(admitted.count(0));
    assertThat(applied.previousCount(0)).isEqualTo(admitted.previousCount(0));
    assertThat(applied.applied(0)).isTrue();
  }

  @Test
  void aBucketDecidesInRedisAsInMemoryOnAWalkingClock() throws Exception {
    MutableClock clock = new MutableClock(1_893_456_000_077L);
    MemoryCounterStore memory = new MemoryCounterStore(100, clock, new SimpleMeterRegistry());
    Random random = new Random(7);
    int admitted = 0;
    int refused = 0;
    for (int step = 0; step < 600; step++) {
      // Mostly calls close together that drain the bucket, now and then a long pause.
      clock.advance(random.nextInt(20) == 0 ? random.nextInt(90_000) : random.nextInt(400));
      long hits = random.nextInt(10) == 0 ? random.nextInt(3) : 1 + random.nextInt(8);
      boolean peek = random.nextInt(5) == 0;
      CounterBatch inRedis = run(bucket("walk", hits, clock.millis()), peek);
      CounterBatch inMemory = bucket("walk", hits, clock.millis());
      (peek ? memory.peek(inMemory) : memory.apply(inMemory)).get();
      assertThat(inRedis.count(0)).as("units after step %d", step).isEqualTo(inMemory.count(0));
      assertThat(inRedis.applied(0)).as("taken at step %d", step).isEqualTo(inMemory.applied(0));
      if (inMemory.applied(0)) {
        admitted++;
      } else {
        refused++;
      }
    }
    // The walk went both ways: the bucket ran dry and filled again.
    assertThat(admitted).isGreaterThan(50);
    assertThat(refused).isGreaterThan(50);
    assertThat(Long.parseLong(redis.cli("TTL", "{walk}bucket").trim())).isBetween(1L, 73L);
  }
}
