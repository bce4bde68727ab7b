package io.tollgate.ratelimit.limiter;

import static io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code.OK;
import static io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code.OVER_LIMIT;
import static io.tollgate.ratelimit.limiter.LimiterFixture.d;
import static io.tollgate.ratelimit.limiter.LimiterFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link RateLimiter#peek} answers the decision a call would get and changes nothing: not the
 * counters (fixed and sliding windows), not the per-limit statistics, not the local over-limit
 * cache.
 */
class PeekTest {

  private static final String YAML =
      """
      domain: d
      descriptors:
        - key: k
          rate_limit: {unit: minute, requests_per_unit: 3}
        - key: s
          algorithm: sliding_window
          rate_limit: {unit: minute, requests_per_unit: 3}
      """;

  private static RateLimitResponse peek(LimiterFixture f, RateLimitRequest request)
      throws Exception {
    return f.limiter.peek(request).get(5, TimeUnit.SECONDS);
  }

  @Test
  void aPeekAnswersLikeACallWithoutSpendingQuotaInEitherWindow() throws Exception {
    LimiterFixture f = new LimiterFixture(YAML, Map.of("LOCAL_CACHE_SIZE_IN_BYTES", "1000000"));
    for (String key : new String[] {"k", "s"}) {
      RateLimitRequest everything = request("d", d(100_000_000, key, "x"));
      RateLimitRequest one = request("d", d(key, "x"));
      assertThat(peek(f, everything).getOverallCode()).as(key).isEqualTo(OVER_LIMIT);
      assertThat(peek(f, one).getStatuses(0).getLimitRemaining()).as(key).isEqualTo(2);

      for (int i = 0; i < 3; i++) {
        assertThat(f.code("d", key, "x")).as("%s call %d", key, i + 1).isEqualTo(OK);
      }
      assertThat(peek(f, one).getOverallCode()).as(key).isEqualTo(OVER_LIMIT);
      assertThat(f.code("d", key, "x")).as(key).isEqualTo(OVER_LIMIT);
    }
    assertThat(f.stats.all())
        .allSatisfy(s -> assertThat(s.totalHits().sum()).as(s.path().toString()).isEqualTo(4));
  }

  @Test
  void aPeekOverTheLimitLeavesNothingInTheLocalCache() throws Exception {
    LimiterFixture f = new LimiterFixture(YAML, Map.of("LOCAL_CACHE_SIZE_IN_BYTES", "1000000"));
    peek(f, request("d", d(100_000_000, "k", "x")));
    assertThat(f.limiter.localCacheSize()).isZero();
    assertThat(f.code("d", "k", "x")).isEqualTo(OK);
  }
}
