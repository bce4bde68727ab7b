package io.tollgate.ratelimit.limiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tollgate.ratelimit.store.CounterBatch;
import io.tollgate.ratelimit.store.CounterStore;
import io.tollgate.ratelimit.store.MemoryCounterStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** What a call gets when the store fails or stalls, per {@code STORE_FAILURE_MODE}. */
class StoreFailureTest {

  private static final String YAML =
      """
      domain: d
      descriptors:
        - key: k
          rate_limit: {unit: minute, requests_per_unit: 5}
        - key: s
          shadow_mode: true
          rate_limit: {unit: minute, requests_per_unit: 5}
      """;

  /** Fails every batch at once, as Lettuce does while disconnected. */
  private static final CounterStore DOWN =
      new ScriptedStore(
          batch -> CompletableFuture.failedFuture(new IllegalStateException("connection refused")));

  /** Never answers, as a stalled Redis. */
  private static final CounterStore STALLED = new ScriptedStore(batch -> new CompletableFuture<>());

  /** A store answering applies and peeks alike with {@code answer}. */
  private record ScriptedStore(Function<CounterBatch, CompletableFuture<Void>> answer)
      implements CounterStore {
    @Override
    public CompletableFuture<Void> apply(CounterBatch batch) {
      return answer.apply(batch);
    }

    @Override
    public CompletableFuture<Void> peek(CounterBatch batch) {
      return answer.apply(batch);
    }
  }

  @Test
  void errorModeFailsTheCallAsTheReferenceDoesAndCountsIt() {
    LimiterFixture f = new LimiterFixture(YAML, Map.of(), c -> DOWN);
    assertThatThrownBy(() -> f.call("d", "k", "x"))
        .isInstanceOfSatisfying(
            RateLimitException.class,
            e -> {
              assertThat(e.status().getCode()).isEqualTo(Status.Code.UNKNOWN);
              assertThat(e.status().getDescription()).isEqualTo("redis error: connection refused");
              assertThat(e.storeFailure()).isTrue();
            });
    assertThat(f.serviceStats.redisErrors()).isEqualTo(1);
    assertThat(f.meters.counter("tollgate_ratelimit_store_failures", "kind", "error").count())
        .isEqualTo(1);
  }

  @Test
  void allowModeAnswersOkAndDenyModeAnswersOverLimit() {
    LimiterFixture allow =
        new LimiterFixture(YAML, Map.of("STORE_FAILURE_MODE", "allow"), c -> DOWN);
    assertThat(allow.code("d", "k", "x")).isEqualTo(RateLimitResponse.Code.OK);
    LimiterFixture deny = new LimiterFixture(YAML, Map.of("STORE_FAILURE_MODE", "deny"), c -> DOWN);
    RateLimitResponse r = deny.call("d", "k", "x");
    assertThat(r.getOverallCode()).isEqualTo(RateLimitResponse.Code.OVER_LIMIT);
    // Shadow mode still never blocks.
    assertThat(deny.code("d", "s", "x")).isEqualTo(RateLimitResponse.Code.OK);
    assertThat(deny.serviceStats.redisErrors()).isEqualTo(2);
  }

  @Test
  void aStalledStoreIsAnsweredWithinTheDeadline() {
    LimiterFixture f =
        new LimiterFixture(
            YAML, Map.of("STORE_DEADLINE", "50ms", "STORE_FAILURE_MODE", "allow"), c -> STALLED);
    for (int i = 0; i < 5; i++) {
      long started = System.nanoTime();
      assertThat(f.code("d", "k", "x")).isEqualTo(RateLimitResponse.Code.OK);
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertThat(millis).isBetween(45L, 500L);
    }
    assertThat(f.meters.counter("tollgate_ratelimit_store_failures", "kind", "timeout").count())
        .isEqualTo(5);
  }

  @Test
  void pastTheInFlightBoundACallIsAnsweredAtOnceWithoutReachingTheStore() throws Exception {
    AtomicInteger batches = new AtomicInteger();
    LimiterFixture f =
        new LimiterFixture(
            YAML,
            Map.of("STORE_MAX_IN_FLIGHT", "2", "STORE_DEADLINE", "300ms"),
            c ->
                new ScriptedStore(
                    batch -> {
                      batches.incrementAndGet();
                      return new CompletableFuture<>();
                    }));
    RateLimitRequest request = LimiterFixture.request("d", LimiterFixture.d("k", "x"));
    CompletableFuture<RateLimitResponse> first = f.limiter.shouldRateLimit(request);
    CompletableFuture<RateLimitResponse> second = f.limiter.shouldRateLimit(request);
    CompletableFuture<RateLimitResponse> third = f.limiter.shouldRateLimit(request);

    assertThat(third).isCompletedExceptionally();
    assertThat(first).isNotDone();
    assertThat(second).isNotDone();
    assertThat(batches.get()).isEqualTo(2);
    assertThatThrownBy(third::join)
        .hasCauseInstanceOf(RateLimitException.class)
        .hasMessageContaining("STORE_MAX_IN_FLIGHT");
    assertThat(f.meters.counter("tollgate_ratelimit_store_failures", "kind", "overload").count())
        .isEqualTo(1);
    // Timed out calls leave the store's queue only when the store answers them; these never do.
    assertThatThrownBy(first::join).hasCauseInstanceOf(RateLimitException.class);
    assertThat(f.limiter.shouldRateLimit(request)).isCompletedExceptionally();
    assertThat(batches.get()).isEqualTo(2);
  }

  @Test
  void aLateAnswerKeepsItsSlotUntilItComesAndThenFreesIt() {
    List<CompletableFuture<Void>> pending = new CopyOnWriteArrayList<>();
    LimiterFixture f =
        new LimiterFixture(
            YAML,
            Map.of(
                "STORE_MAX_IN_FLIGHT",
                "1",
                "STORE_DEADLINE",
                "50ms",
                "STORE_FAILURE_MODE",
                "allow"),
            c ->
                new ScriptedStore(
                    batch -> {
                      CompletableFuture<Void> answer = new CompletableFuture<>();
                      pending.add(answer);
                      return answer;
                    }));
    assertThat(f.code("d", "k", "x")).isEqualTo(RateLimitResponse.Code.OK);
    assertThat(f.meters.counter("tollgate_ratelimit_store_failures", "kind", "timeout").count())
        .isEqualTo(1);
    // Past its deadline the first call still holds the only slot.
    assertThat(f.code("d", "k", "x")).isEqualTo(RateLimitResponse.Code.OK);
    assertThat(f.meters.counter("tollgate_ratelimit_store_failures", "kind", "overload").count())
        .isEqualTo(1);
    assertThat(pending).hasSize(1);

    pending.get(0).complete(null);
    assertThat(f.code("d", "k", "x")).isEqualTo(RateLimitResponse.Code.OK);
    assertThat(pending).as("the freed slot lets the next call reach the store").hasSize(2);
    assertThat(f.meters.counter("tollgate_ratelimit_store_failures", "kind", "timeout").count())
        .isEqualTo(2);
    f.limiter.close();
  }

  @Test
  void theLocalCacheAnswersKeysAlreadyOverTheLimitWithoutTheStore() {
    AtomicInteger batches = new AtomicInteger();
    LimiterFixture f =
        new LimiterFixture(
            YAML,
            Map.of("LOCAL_CACHE_SIZE_IN_BYTES", "1000000"),
            clock -> {
              MemoryCounterStore inner =
                  new MemoryCounterStore(100, clock, new SimpleMeterRegistry());
              return new ScriptedStore(
                  batch -> {
                    batches.incrementAndGet();
                    return inner.apply(batch);
                  });
            });
    for (int i = 0; i < 6; i++) {
      f.call("d", "k", "x");
    }
    assertThat(batches.get()).isEqualTo(6);
    for (int i = 0; i < 10; i++) {
      assertThat(f.code("d", "k", "x")).isEqualTo(RateLimitResponse.Code.OVER_LIMIT);
    }
    assertThat(batches.get()).as("no store round trip for a key known over").isEqualTo(6);
    assertThat(f.stats.all().iterator().next().overLimitWithLocalCache().sum()).isEqualTo(10);
    // The next window asks the store again.
    f.clock.advance(60_000);
    assertThat(f.code("d", "k", "x")).isEqualTo(RateLimitResponse.Code.OK);
    assertThat(batches.get()).isEqualTo(7);
  }
}
