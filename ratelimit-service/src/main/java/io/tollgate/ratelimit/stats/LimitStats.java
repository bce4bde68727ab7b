package io.tollgate.ratelimit.stats;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The reference's per-limit counters ({@code ratelimit.service.rate_limit.<path>.<counter>}),
 * exposed in Prometheus as {@code ratelimit_service_rate_limit_<counter>{domain,key1,key2}}.
 *
 * @param path the domain then one element per descriptor level, already sanitized
 */
public record LimitStats(
    List<String> path,
    LongAdder totalHits,
    LongAdder overLimit,
    LongAdder nearLimit,
    LongAdder overLimitWithLocalCache,
    LongAdder withinLimit,
    LongAdder shadowMode) {

  public LimitStats(List<String> path) {
    this(
        List.copyOf(path),
        new LongAdder(),
        new LongAdder(),
        new LongAdder(),
        new LongAdder(),
        new LongAdder(),
        new LongAdder());
  }
}
