package io.tollgate.ratelimit.limiter;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.grpc.Status;
import io.tollgate.ratelimit.config.ActiveConfig;
import io.tollgate.ratelimit.config.Algorithm;
import io.tollgate.ratelimit.config.CompiledConfig;
import io.tollgate.ratelimit.config.RateLimitPolicy;
import io.tollgate.ratelimit.stats.LimitStats;
import io.tollgate.ratelimit.stats.ServiceStats;
import io.tollgate.ratelimit.stats.StatsRegistry;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The first half of a decision, the reference's {@code service.constructLimitsToCheck} and {@code
 * BaseRateLimiter.GenerateCacheKeys}: refuse the requests the reference refuses, match each
 * descriptor's limit against the active configuration, drop unlimited and replaced ones, and queue
 * a counter for each remaining limit (keys the local cache knows are over are not queued).
 */
final class CallPlanner {

  private final ActiveConfig config;
  private final DescriptorMatcher matcher = new DescriptorMatcher();
  private final StatsRegistry stats;
  private final ServiceStats serviceStats;
  private final LocalOverLimitCache localCache;
  private final CacheKeys cacheKeys;
  private final Clock clock;

  CallPlanner(
      ActiveConfig config,
      StatsRegistry stats,
      ServiceStats serviceStats,
      LocalOverLimitCache localCache,
      CacheKeys cacheKeys,
      Clock clock) {
    this.config = config;
    this.stats = stats;
    this.serviceStats = serviceStats;
    this.localCache = localCache;
    this.cacheKeys = cacheKeys;
    this.clock = clock;
  }

  /** Throws {@link RateLimitException} for a request the reference refuses. */
  Call plan(RateLimitRequest request, boolean readOnly) {
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
    Call call = new Call(request, clock.millis(), readOnly);
    Set<String> replaced = null;
    for (int i = 0; i < call.n; i++) {
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
    for (int i = 0; i < call.n && replaced != null; i++) {
      DescriptorMatcher.LimitMatch m = call.matches[i];
      if (m != null && !m.policy().name().isEmpty() && replaced.contains(m.policy().name())) {
        call.matches[i] = null;
      }
    }
    for (int i = 0; i < call.n; i++) {
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
    if (p.algorithm() == Algorithm.TOKEN_BUCKET) {
      call.keys[i] = CacheKeys.bucket(base);
      call.slot[i] =
          call.batch.addBucket(
              call.keys[i], windowSeconds, p.requestsPerUnit(), p.capacity(), hits, call.nowMillis);
      return;
    }
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

  private RateLimitException serviceError(String message) {
    serviceStats.serviceError();
    return new RateLimitException(Status.UNKNOWN.withDescription(message), false);
  }
}
