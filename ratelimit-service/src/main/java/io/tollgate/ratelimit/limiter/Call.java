package io.tollgate.ratelimit.limiter;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.tollgate.ratelimit.stats.LimitStats;
import io.tollgate.ratelimit.store.CounterBatch;

/**
 * The working state of one {@code ShouldRateLimit}, indexed by descriptor: what {@link CallPlanner}
 * found and queued, what {@link StoreGate} got counted, what {@link Judge} reads back. Arrays
 * rather than a list of objects: one allocation per field per call, not per descriptor.
 */
final class Call {
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

  Call(RateLimitRequest request, long nowMillis, boolean readOnly) {
    this.request = request;
    this.n = request.getDescriptorsCount();
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
