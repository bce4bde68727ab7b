package io.tollgate.ratelimit.limiter;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tollgate.ratelimit.store.MemoryCounterStore;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Memory stays bounded whatever the callers send. The bound: the in-memory store holds at most
 * {@code MEMORY_MAX_KEYS} counters (here 1,000; each is its key plus about 100 bytes, so the
 * default 500,000 is about 100 MB with keys of 100 characters), per-value metric series stop at
 * {@code STATS_MAX_KEYS} (here 100) and the local over-limit cache at {@code
 * LOCAL_CACHE_SIZE_IN_BYTES / 160} keys (here 625), under 50,000 distinct client values.
 */
class FloodOfDistinctKeysTest {

  @Test
  void aFloodOfDistinctValuesStaysWithinEveryBound() {
    MemoryCounterStore[] store = new MemoryCounterStore[1];
    LimiterFixture f =
        new LimiterFixture(
            """
            domain: d
            descriptors:
              - key: ip
                detailed_metric: true
                rate_limit: {unit: hour, requests_per_unit: 0}
            """,
            Map.of("STATS_MAX_KEYS", "100", "LOCAL_CACHE_SIZE_IN_BYTES", "100000"),
            clock -> store[0] = new MemoryCounterStore(1_000, clock, new SimpleMeterRegistry()));
    for (int i = 0; i < 50_000; i++) {
      RateLimitResponse r =
          f.call("d", "ip", "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255));
      assertThat(r.getOverallCode()).isEqualTo(RateLimitResponse.Code.OVER_LIMIT);
    }
    assertThat(store[0].size()).isLessThanOrEqualTo(1_000);
    assertThat(f.stats.size()).isLessThanOrEqualTo(100);
    assertThat(f.stats.overflowCount()).isGreaterThan(49_000);
    assertThat(f.limiter.localCacheSize()).isLessThanOrEqualTo(100_000 / 160);
  }
}
