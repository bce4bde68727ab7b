package io.tollgate.ratelimit.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.testsupport.RedisServer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis store's peek against a real {@code redis-server}: it answers what applying would, in
 * one round trip, and writes nothing (no key is created, no count changes).
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
}
