package io.tollgate.ratelimit.limiter;

import static io.tollgate.ratelimit.limiter.LimiterFixture.d;
import static io.tollgate.ratelimit.limiter.LimiterFixture.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.tollgate.ratelimit.config.ConfigCompiler;
import io.tollgate.referenceconfig.ConfigException;
import io.tollgate.referenceconfig.ReferenceYamlReader;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The token bucket ({@code burst}) walked on a hand-moved clock: a fresh client gets exactly {@code
 * requests + burst} at once, then one call per {@code W / requests}, never more than the capacity
 * after any idle time; the headers say what the bucket holds and when to come back.
 */
class TokenBucketTest {

  private static final String YAML =
      """
      domain: d
      descriptors:
        - key: bucket
          rate_limit: {unit: second, requests_per_unit: 5, burst: 3}
        - key: minute
          rate_limit: {unit: minute, requests_per_unit: 100, burst: 20}
        - key: smooth
          rate_limit: {unit: second, requests_per_unit: 4, burst: 0}
      """;

  private static final RateLimitResponse.Code OK = RateLimitResponse.Code.OK;
  private static final RateLimitResponse.Code OVER = RateLimitResponse.Code.OVER_LIMIT;

  @Test
  void aFreshClientGetsExactlyRequestsPlusBurstAtOnceThenIsRefused() {
    LimiterFixture f = new LimiterFixture(YAML);
    f.clock.set(LimiterFixture.T0 + 999); // the end of a second: no window boundary helps
    for (int i = 0; i < 8; i++) {
      RateLimitResponse r = f.call("d", "bucket", "x");
      assertThat(r.getOverallCode()).as("call %d", i + 1).isEqualTo(OK);
      assertThat(r.getStatuses(0).getLimitRemaining()).isEqualTo(8 - i - 1);
      // The rate is the limit Envoy reports (x-ratelimit-limit); the burst rides on it.
      assertThat(r.getStatuses(0).getCurrentLimit().getRequestsPerUnit()).isEqualTo(5);
    }
    RateLimitResponse refused = f.call("d", "bucket", "x");
    assertThat(refused.getOverallCode()).isEqualTo(OVER);
    assertThat(refused.getStatuses(0).getLimitRemaining()).isZero();
    // The next token is 200 ms away: 1 s, rounded up, is when to come back.
    assertThat(refused.getStatuses(0).getDurationUntilReset().getSeconds()).isEqualTo(1);
    assertThat(headers(refused)).containsEntry("retry-after", "1");
    // Across the window boundary a fixed window would hand out 5 more; the bucket has none yet.
    f.clock.set(LimiterFixture.T0 + 1_000);
    assertThat(f.code("d", "bucket", "x")).isEqualTo(OVER);
  }

  @Test
  void itRefillsAtTheRateOneTokenPerIntervalAndNoSooner() {
    LimiterFixture f = new LimiterFixture(YAML);
    long start = LimiterFixture.T0 + 123;
    f.clock.set(start);
    for (int i = 0; i < 8; i++) {
      assertThat(f.code("d", "bucket", "x")).isEqualTo(OK);
    }
    // Greedy from then on, every millisecond for 10 s: a token each 200 ms, exactly on time.
    int admitted = 0;
    for (long t = 1; t <= 10_000; t++) {
      f.clock.set(start + t);
      if (f.code("d", "bucket", "x") == OK) {
        admitted++;
        assertThat(t % 200).as("admitted at +%d ms", t).isZero();
      }
      assertThat(admitted).as("admitted by +%d ms", t).isEqualTo((int) (t / 200));
    }
    assertThat(admitted).isEqualTo(50);
  }

  @Test
  void aPerMinuteBucketRefillsAtItsRateAndTheResetIsWhenItIsFull() {
    LimiterFixture f = new LimiterFixture(YAML);
    f.clock.set(LimiterFixture.T0);
    for (int i = 0; i < 120; i++) {
      assertThat(f.code("d", "minute", "x")).as("call %d", i + 1).isEqualTo(OK);
    }
    assertThat(f.code("d", "minute", "x")).isEqualTo(OVER);
    // 100 a minute: one token each 600 ms.
    f.clock.set(LimiterFixture.T0 + 599);
    assertThat(f.code("d", "minute", "x")).isEqualTo(OVER);
    f.clock.set(LimiterFixture.T0 + 600);
    RateLimitResponse r = f.call("d", "minute", "x");
    assertThat(r.getOverallCode()).isEqualTo(OK);
    assertThat(r.getStatuses(0).getLimitRemaining()).isZero();
    // Empty again: 120 tokens take 72 s to come back.
    assertThat(r.getStatuses(0).getDurationUntilReset().getSeconds()).isEqualTo(72);
  }

  @Test
  void idleTimeNeverFillsTheBucketBeyondItsCapacity() {
    LimiterFixture f = new LimiterFixture(YAML);
    f.clock.set(LimiterFixture.T0);
    assertThat(f.code("d", "bucket", "x")).isEqualTo(OK);
    for (long idle : List.of(1_000L, 2_000L, 3_600_000L, 40L * 86_400_000L)) {
      f.clock.advance(idle);
      int ok = 0;
      while (f.code("d", "bucket", "x") == OK) {
        ok++;
        assertThat(ok).as("after %d ms idle", idle).isLessThanOrEqualTo(8);
      }
      assertThat(ok).as("after %d ms idle", idle).isEqualTo(8);
    }
  }

  @Test
  void aBurstOfZeroIsASmoothRateWithoutTheWindowBoundaryDoubling() {
    LimiterFixture f = new LimiterFixture(YAML);
    f.clock.set(LimiterFixture.T0 + 999);
    int ok = 0;
    for (int i = 0; i < 10; i++) {
      ok += f.code("d", "smooth", "x") == OK ? 1 : 0;
    }
    f.clock.set(LimiterFixture.T0 + 1_000);
    for (int i = 0; i < 10; i++) {
      ok += f.code("d", "smooth", "x") == OK ? 1 : 0;
    }
    assertThat(ok).isEqualTo(4);
  }

  @Test
  void aCallOfSeveralHitsTakesThemAllOrNone() {
    LimiterFixture f = new LimiterFixture(YAML);
    f.clock.set(LimiterFixture.T0);
    assertThat(f.call(request("d", d(6, "bucket", "x"))).getOverallCode()).isEqualTo(OK);
    assertThat(f.call(request("d", d(3, "bucket", "x"))).getOverallCode()).isEqualTo(OVER);
    // The refused call took nothing: the two tokens left are still there.
    assertThat(f.call(request("d", d(2, "bucket", "x"))).getOverallCode()).isEqualTo(OK);
    assertThat(f.code("d", "bucket", "x")).isEqualTo(OVER);
  }

  @Test
  void aPeekAnswersWhatTheCallWouldWithoutTakingTokens() {
    LimiterFixture f = new LimiterFixture(YAML);
    f.clock.set(LimiterFixture.T0);
    for (int i = 0; i < 8; i++) {
      assertThat(f.code("d", "bucket", "x")).isEqualTo(OK);
    }
    RateLimitResponse look = f.limiter.peek(request("d", d("bucket", "x"))).join();
    assertThat(look.getOverallCode()).isEqualTo(OVER);
    f.clock.advance(200);
    look = f.limiter.peek(request("d", d("bucket", "x"))).join();
    assertThat(look.getOverallCode()).isEqualTo(OK);
    assertThat(look.getStatuses(0).getLimitRemaining()).isZero();
    assertThat(f.code("d", "bucket", "x")).isEqualTo(OK);
    assertThat(f.code("d", "bucket", "x")).isEqualTo(OVER);
  }

  @Test
  void aBurstIsRefusedWhereItCannotMeanABucket() {
    assertThat(
            compileError(
                "algorithm: sliding_window\n    rate_limit: {unit: second, requests_per_unit: 5, burst: 3}"))
        .contains("burst cannot be combined with algorithm sliding_window for 'd.k'");
    assertThat(compileError("rate_limit: {unit: second, requests_per_unit: 0, burst: 3}"))
        .contains("burst needs requests_per_unit above 0 for 'd.k'");
    assertThat(compileError("rate_limit: {unlimited: true, burst: 3}"))
        .contains("should not specify burst when unlimited");
    assertThat(compileError("rate_limit: {unit: second, requests_per_unit: 5, burst: -1}"))
        .contains("cannot unmarshal !!int `-1` into uint32");
  }

  private static String compileError(String limit) {
    String yaml = "domain: d\ndescriptors:\n  - key: k\n    " + limit + "\n";
    return assertThatThrownBy(
            () ->
                new ConfigCompiler(false)
                    .compile(List.of(new ReferenceYamlReader().read("t.yaml", yaml))))
        .isInstanceOf(ConfigException.class)
        .actual()
        .getMessage();
  }

  private static Map<String, String> headers(RateLimitResponse r) {
    return r.getResponseHeadersToAddList().stream()
        .collect(Collectors.toMap(HeaderValue::getKey, HeaderValue::getValue));
  }
}
