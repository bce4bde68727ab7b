package io.tollgate.ratelimit.limiter;

import io.tollgate.ratelimit.config.Algorithm;
import io.tollgate.ratelimit.config.RateLimitPolicy;
import io.tollgate.ratelimit.stats.LimitStats;
import io.tollgate.ratelimit.store.CounterBatch;
import io.tollgate.ratelimit.store.TokenBucket;

/**
 * The reference's {@code BaseRateLimiter.GetResponseDescriptorStatus}: each counter the store
 * returned judged against its limit, with the reference's near-limit, over-limit and shadow-mode
 * accounting, and a key found over its fixed window remembered in the local cache until the window
 * ends.
 */
final class Judge {

  private final float nearLimitRatio;
  private final LocalOverLimitCache localCache;
  private final StoreFailurePolicy failures;

  Judge(double nearLimitRatio, LocalOverLimitCache localCache, StoreFailurePolicy failures) {
    this.nearLimitRatio = (float) nearLimitRatio;
    this.localCache = localCache;
    this.failures = failures;
  }

  Outcome judge(Call call, int i, boolean storeFailed) {
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
    long limit = p.capacity();
    long windowSeconds = p.unit().seconds();
    long reset = WindowMath.secondsToWindowEnd(call.nowMillis, windowSeconds);

    if (call.localOver[i]) {
      s.overLimit().add(hits);
      s.overLimitWithLocalCache().add(hits);
      return shadowed(p, s, true, true, hits, 0, 0, reset);
    }
    if (storeFailed) {
      boolean deny = failures.denies();
      return new Outcome(p, false, deny, deny && !p.shadowMode(), deny ? 0 : limit, reset);
    }
    int slot = call.slot[i];
    long after = call.batch.count(slot);
    if (p.algorithm() == Algorithm.TOKEN_BUCKET) {
      // As a count against the capacity: the tokens missing from a full bucket, with this call's.
      long left = after / TokenBucket.SCALE;
      boolean taken = call.batch.applied(slot);
      after = limit - left + (taken ? 0 : hits);
      long units = call.batch.count(slot);
      long target = taken ? limit * TokenBucket.SCALE : hits * TokenBucket.SCALE;
      long wait = TokenBucket.millisUntil(units, target, windowSeconds, p.requestsPerUnit());
      // Admitted: until the bucket is full again (its "window reset"); refused: until the hits are.
      reset = taken ? ceilSeconds(wait) : Math.max(1, ceilSeconds(wait));
    }
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
        long windowMillis = p.unit().millis();
        localCache.markOverLimit(
            call.keys[i], WindowMath.windowStart(call.nowMillis, windowMillis) + windowMillis);
      }
      return shadowed(p, s, false, before >= limit, hits, after, limit, reset);
    }
    if (after > near) {
      s.nearLimit().add(before >= near ? hits : after - near);
    }
    s.withinLimit().add(hits);
    return new Outcome(p, false, false, false, limit - after, reset);
  }

  private static long ceilSeconds(long millis) {
    return Math.floorDiv(millis + 999, 1000);
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
}
