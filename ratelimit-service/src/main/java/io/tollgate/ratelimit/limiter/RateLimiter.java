package io.tollgate.ratelimit.limiter;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tollgate.ratelimit.config.ActiveConfig;
import io.tollgate.ratelimit.config.Algorithm;
import io.tollgate.ratelimit.config.CompiledConfig;
import io.tollgate.ratelimit.config.RateLimitPolicy;
import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.ratelimit.stats.LimitStats;
import io.tollgate.ratelimit.stats.ServiceStats;
import io.tollgate.ratelimit.stats.StatsRegistry;
import io.tollgate.ratelimit.store.CounterBatch;
import io.tollgate.ratelimit.store.CounterStore;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides one {@code ShouldRateLimit}, as the reference does: match each descriptor's limit, drop
 * unlimited and replaced ones, count every remaining limit in one store round trip (skipping keys
 * the local cache knows are over), then judge each counter with the reference's near-limit and
 * shadow-mode accounting. The response is assembled by {@link ResponseBuilder}.
 *
 * <p>The store gets {@code STORE_DEADLINE} to answer; if it fails or is late the call is answered
 * per {@code STORE_FAILURE_MODE}, the failure is counted, and it is logged at most once per
 * interval. At most {@code STORE_MAX_IN_FLIGHT} calls wait for the store at once; past that a call
 * is answered at once as if the store had failed ("overload"), because a queue longer than the
 * store can clear within the deadline only makes every later call miss it too.
 */
public final class RateLimiter {

  /** Why a call was not sent to the store: too many already wait for it. */
  private static final Throwable OVERLOAD = new StoreOverloaded();

  private final ActiveConfig config;
  private final DescriptorMatcher matcher;
  private final CounterStore store;
  private final StatsRegistry stats;
  private final ServiceStats serviceStats;
  private final Settings.Limits limits;
  private final Settings.Store storeSettings;
  private final ResponseBuilder responses;
  private final LocalOverLimitCache localCache;
  private final CacheKeys cacheKeys;
  private final Clock clock;
  private final float nearLimitRatio;
  private final Timer storeLatency;
  private final Counter storeTimeouts;
  private final Counter storeErrors;
  private final Counter storeOverloads;
  private final AtomicInteger storeInFlight = new AtomicInteger();
  private final ThrottledLog failureLog;

  public RateLimiter(
      ActiveConfig config,
      CounterStore store,
      StatsRegistry stats,
      ServiceStats serviceStats,
      Settings settings,
      Clock clock,
      MeterRegistry meters) {
    this.config = config;
    this.matcher = new DescriptorMatcher();
    this.store = store;
    this.stats = stats;
    this.serviceStats = serviceStats;
    this.limits = settings.limits();
    this.storeSettings = settings.store();
    this.responses = new ResponseBuilder(settings.responses(), settings.limits(), serviceStats);
    this.localCache = new LocalOverLimitCache(limits.localCacheSizeBytes(), clock);
    this.cacheKeys = new CacheKeys(limits.cacheKeyPrefix());
    this.clock = clock;
    this.nearLimitRatio = (float) limits.nearLimitRatio();
    this.storeLatency =
        Timer.builder("tollgate_ratelimit_store_latency")
            .description("Time for the counter store to apply one call's counters")
            .publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofSeconds(1))
            .register(meters);
    this.storeTimeouts = storeFailures(meters, "timeout");
    this.storeErrors = storeFailures(meters, "error");
    this.storeOverloads = storeFailures(meters, "overload");
    this.failureLog = new ThrottledLog(RateLimiter.class, storeSettings.errorLogInterval(), clock);
  }

  private static Counter storeFailures(MeterRegistry meters, String kind) {
    return Counter.builder("tollgate_ratelimit_store_failures")
        .description("Calls whose counters the store failed to apply within the deadline")
        .tag("kind", kind)
        .register(meters);
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
    Call call = prepare(request, readOnly);
    if (call.batch.isEmpty()) {
      return CompletableFuture.completedFuture(finish(call, null));
    }
    if (storeInFlight.incrementAndGet() > storeSettings.maxInFlight()) {
      storeInFlight.decrementAndGet();
      return CompletableFuture.<Void>failedFuture(OVERLOAD)
          .handle((ok, error) -> finish(call, error));
    }
    long started = System.nanoTime();
    CompletableFuture<Void> applied;
    try {
      applied = readOnly ? store.peek(call.batch) : store.apply(call.batch);
    } catch (RuntimeException e) {
      applied = CompletableFuture.failedFuture(e);
    }
    applied.whenComplete((ok, error) -> storeInFlight.decrementAndGet());
    // A copy times out, not the store's own future: the slot stays taken until the store is done.
    return applied
        .copy()
        .orTimeout(storeSettings.deadline().toNanos(), TimeUnit.NANOSECONDS)
        .handle(
            (ok, error) -> {
              storeLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
              return finish(call, error);
            });
  }

  /** Keys the local over-limit cache holds now. */
  int localCacheSize() {
    return localCache.size();
  }

  private Call prepare(RateLimitRequest request, boolean readOnly) {
    if (request.getDomain().isEmpty()) {
      throw serviceError("rate limit domain must not be empty");
    }
    if (request.getDescriptorsCount() == 0) {
      throw serviceError("rate limit descriptor list must not be empty");
    }
    CompiledConfig snapshot = config.current();
    if (snapshot == null) {
      throw serviceError("no rate limit configuration loaded");
    }
    int n = request.getDescriptorsCount();
    Call call = new Call(request, n, clock.millis(), readOnly);
    Set<String> replaced = null;
    for (int i = 0; i < n; i++) {
      DescriptorMatcher.LimitMatch m;
      try {
        m = matcher.match(snapshot, request.getDomain(), request.getDescriptors(i));
      } catch (RateLimitException e) {
        serviceStats.serviceError();
        throw e;
      }
      if (m == null) {
        continue;
      }
      for (String name : m.policy().replaces()) {
        if (replaced == null) {
          replaced = new HashSet<>();
        }
        replaced.add(name);
      }
      if (m.policy().unlimited()) {
        call.unlimited[i] = true;
      } else {
        call.matches[i] = m;
      }
    }
    for (int i = 0; i < n && replaced != null; i++) {
      DescriptorMatcher.LimitMatch m = call.matches[i];
      if (m != null && !m.policy().name().isEmpty() && replaced.contains(m.policy().name())) {
        call.matches[i] = null;
      }
    }
    for (int i = 0; i < n; i++) {
      DescriptorMatcher.LimitMatch m = call.matches[i];
      if (m != null) {
        count(call, i, m);
      }
    }
    return call;
  }

  private void count(Call call, int i, DescriptorMatcher.LimitMatch m) {
    RateLimitDescriptor d = call.request.getDescriptors(i);
    long hits =
        d.hasHitsAddend()
            ? d.getHitsAddend().getValue()
            : Math.max(1, Integer.toUnsignedLong(call.request.getHitsAddend()));
    call.hits[i] = hits;
    // A peek counts into statistics of its own, which nobody reads.
    LimitStats s =
        call.readOnly ? new LimitStats(List.of()) : stats.stats(m.statsKey(), m::statsPath);
    call.stats[i] = s;
    s.totalHits().add(hits);

    RateLimitPolicy p = m.policy();
    long windowSeconds = p.unit().seconds();
    long windowMillis = p.unit().millis();
    long windowStartMillis = WindowMath.windowStart(call.nowMillis, windowMillis);
    long windowStart = windowStartMillis / 1000;
    String base = cacheKeys.base(call.request.getDomain(), d, m.sharedValues());
    if (p.algorithm() == Algorithm.FIXED_WINDOW) {
      String key = CacheKeys.window(base, windowStart);
      call.keys[i] = key;
      if (localCache.isOverLimit(key)) {
        call.localOver[i] = true;
        return;
      }
      call.slot[i] = call.batch.addFixed(base, key, windowStart, windowSeconds, hits);
      return;
    }
    String tagged = CacheKeys.hashTagged(base);
    call.keys[i] = CacheKeys.window(tagged, windowStart);
    call.slot[i] =
        call.batch.addSliding(
            tagged,
            call.keys[i],
            CacheKeys.window(tagged, windowStart - windowSeconds),
            windowStart,
            windowSeconds,
            hits,
            p.requestsPerUnit(),
            WindowMath.previousWeight(call.nowMillis - windowStartMillis, windowMillis));
  }

  private RateLimitResponse finish(Call call, Throwable storeError) {
    boolean storeFailed = storeError != null;
    if (storeFailed) {
      onStoreFailure(storeError);
    }
    Outcome[] outcomes = new Outcome[call.n];
    for (int i = 0; i < call.n; i++) {
      outcomes[i] = judge(call, i, storeFailed);
    }
    return responses.build(call.request, outcomes, !call.readOnly);
  }

  private void onStoreFailure(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    boolean timeout = cause instanceof TimeoutException;
    (cause == OVERLOAD ? storeOverloads : timeout ? storeTimeouts : storeErrors).increment();
    serviceStats.redisError();
    String detail =
        timeout
            ? "no reply within " + storeSettings.deadline().toMillis() + "ms"
            : String.valueOf(cause.getMessage());
    failureLog.warn("counter store failed ({} mode): {}", storeSettings.failureMode(), detail);
    if (storeSettings.failureMode() == Settings.FailureMode.ERROR) {
      throw new RateLimitException(
          Status.UNKNOWN.withDescription("redis error: " + detail).withCause(cause), true);
    }
  }

  private Outcome judge(Call call, int i, boolean storeFailed) {
    if (call.unlimited[i]) {
      return Outcome.UNLIMITED;
    }
    DescriptorMatcher.LimitMatch m = call.matches[i];
    if (m == null) {
      return Outcome.NO_LIMIT;
    }
    RateLimitPolicy p = m.policy();
    LimitStats s = call.stats[i];
    long hits = call.hits[i];
    long limit = p.requestsPerUnit();
    long windowSeconds = p.unit().seconds();
    long reset = WindowMath.secondsToWindowEnd(call.nowMillis, windowSeconds);

    if (call.localOver[i]) {
      s.overLimit().add(hits);
      s.overLimitWithLocalCache().add(hits);
      return shadowed(p, s, true, true, hits, 0, 0, reset);
    }
    if (storeFailed) {
      boolean deny = storeSettings.failureMode() == Settings.FailureMode.DENY;
      return new Outcome(p, false, deny, deny && !p.shadowMode(), deny ? 0 : limit, reset);
    }
    int slot = call.slot[i];
    long after = call.batch.count(slot);
    if (p.algorithm() == Algorithm.SLIDING_WINDOW) {
      long w = p.unit().millis();
      long elapsed = call.nowMillis - WindowMath.windowStart(call.nowMillis, w);
      long previous = call.batch.previousCount(slot);
      long current = after;
      long weighted = CounterBatch.weighted(previous, call.batch.weight(slot));
      // The estimate with this call in it, whether or not the store admitted it.
      after = current + weighted + (call.batch.applied(slot) ? 0 : hits);
      if (after > limit) {
        reset = WindowMath.slidingRetrySeconds(current, previous, elapsed, w, limit);
      }
    }
    long before = Math.max(0, after - hits);
    long near = (long) Math.floor((float) limit * nearLimitRatio);
    if (after > limit) {
      if (before >= limit) {
        s.overLimit().add(hits);
      } else {
        s.overLimit().add(after - limit);
        s.nearLimit().add(limit - Math.max(near, before));
      }
      if (p.algorithm() == Algorithm.FIXED_WINDOW && localCache.enabled() && !call.readOnly) {
        localCache.markOverLimit(call.keys[i], windowSeconds);
      }
      return shadowed(p, s, false, before >= limit, hits, after, limit, reset);
    }
    if (after > near) {
      s.nearLimit().add(before >= near ? hits : after - near);
    }
    s.withinLimit().add(hits);
    return new Outcome(p, false, false, false, limit - after, reset);
  }

  /** An over-limit outcome, let through (and counted) when the limit is in shadow mode. */
  private static Outcome shadowed(
      RateLimitPolicy p,
      LimitStats s,
      boolean localCache,
      boolean allHitsOver,
      long hits,
      long after,
      long limit,
      long reset) {
    if (p.shadowMode()) {
      s.shadowMode().add(localCache || allHitsOver ? hits : after - limit);
    }
    return new Outcome(p, false, true, !p.shadowMode(), 0, reset);
  }

  private RateLimitException serviceError(String message) {
    serviceStats.serviceError();
    return new RateLimitException(Status.UNKNOWN.withDescription(message), false);
  }

  /** The working state of one call. */
  private static final class Call {
    final RateLimitRequest request;
    final int n;
    final long nowMillis;
    final boolean readOnly;
    final DescriptorMatcher.LimitMatch[] matches;
    final boolean[] unlimited;
    final boolean[] localOver;
    final long[] hits;
    final LimitStats[] stats;
    final String[] keys;
    final int[] slot;
    final CounterBatch batch;

    Call(RateLimitRequest request, int n, long nowMillis, boolean readOnly) {
      this.request = request;
      this.n = n;
      this.nowMillis = nowMillis;
      this.readOnly = readOnly;
      this.matches = new DescriptorMatcher.LimitMatch[n];
      this.unlimited = new boolean[n];
      this.localOver = new boolean[n];
      this.hits = new long[n];
      this.stats = new LimitStats[n];
      this.keys = new String[n];
      this.slot = new int[n];
      this.batch = new CounterBatch(n);
    }
  }

  /** Routine under overload, so shared and without a stack trace. */
  private static final class StoreOverloaded extends RuntimeException {
    StoreOverloaded() {
      super("more calls waiting for the store than STORE_MAX_IN_FLIGHT", null, false, false);
    }
  }
}
