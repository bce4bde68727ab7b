package io.tollgate.ratelimit.limiter;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.ratelimit.config.ActiveConfig;
import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.ratelimit.stats.ServiceStats;
import io.tollgate.ratelimit.stats.StatsRegistry;
import io.tollgate.ratelimit.store.CounterStore;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/**
 * Decides one {@code ShouldRateLimit}, split as the reference splits it ({@code service} → {@code
 * limiter} → cache): {@link CallPlanner} matches limits and queues counters, {@link StoreGate}
 * admits the call to the store under its in-flight bound and deadline, {@link StoreFailurePolicy}
 * says what a failure means, {@link Judge} judges each counter, and {@link ResponseBuilder}
 * assembles the response.
 */
public final class RateLimiter implements AutoCloseable {

  private final CallPlanner planner;
  private final StoreGate gate;
  private final StoreFailurePolicy failures;
  private final Judge judge;
  private final ResponseBuilder responses;
  private final LocalOverLimitCache localCache;

  public RateLimiter(
      ActiveConfig config,
      CounterStore store,
      StatsRegistry stats,
      ServiceStats serviceStats,
      Settings settings,
      Clock clock,
      MeterRegistry meters) {
    Settings.Limits limits = settings.limits();
    this.localCache = new LocalOverLimitCache(limits.localCacheSizeBytes(), clock);
    this.planner =
        new CallPlanner(
            config, stats, serviceStats, localCache, new CacheKeys(limits.cacheKeyPrefix()), clock);
    this.gate = new StoreGate(store, settings.store(), meters);
    this.failures = new StoreFailurePolicy(settings.store(), serviceStats, meters, clock);
    this.judge = new Judge(limits.nearLimitRatio(), localCache, failures);
    this.responses = new ResponseBuilder(settings.responses(), limits, serviceStats);
  }

  /**
   * The decision for {@code request}. Throws {@link RateLimitException} at once for a request the
   * reference refuses; the future fails with it when the store fails under the ERROR mode.
   */
  public CompletableFuture<RateLimitResponse> shouldRateLimit(RateLimitRequest request) {
    return decide(request, false);
  }

  /**
   * The decision {@link #shouldRateLimit} would make now, without spending quota: no counter,
   * per-limit statistic or local-cache entry changes. Store failures are answered and counted as
   * for a real call.
   */
  public CompletableFuture<RateLimitResponse> peek(RateLimitRequest request) {
    return decide(request, true);
  }

  private CompletableFuture<RateLimitResponse> decide(RateLimitRequest request, boolean readOnly) {
    Call call = planner.plan(request, readOnly);
    if (call.batch.isEmpty()) {
      return CompletableFuture.completedFuture(finish(call, null));
    }
    return gate.apply(call.batch, readOnly).thenApply(error -> finish(call, error));
  }

  /** Keys the local over-limit cache holds now. */
  long localCacheSize() {
    return localCache.size();
  }

  /** Stops the store deadlines' timer. */
  @Override
  public void close() {
    gate.close();
  }

  private RateLimitResponse finish(Call call, Throwable storeError) {
    boolean storeFailed = storeError != null;
    if (storeFailed) {
      failures.onFailure(storeError);
    }
    Outcome[] outcomes = new Outcome[call.n];
    for (int i = 0; i < call.n; i++) {
      outcomes[i] = judge.judge(call, i, storeFailed);
    }
    return responses.build(call.request, outcomes, !call.readOnly);
  }
}
