package io.tollgate.ratelimit.limiter;

import static io.tollgate.ratelimit.limiter.LimiterFixture.d;
import static io.tollgate.ratelimit.limiter.LimiterFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Walks a clock millisecond by millisecond across window boundaries while an adversary sends calls,
 * then checks every interval of the limit's length against the documented worst case ({@link
 * WindowMath}): an interval ending {@code f*W} into a fixed window admits at most {@code floor(L *
 * (1 + f))} calls. The same walk against a fixed window admits {@code 2L}.
 */
class SlidingWindowTest {

  private static final int LIMIT = 10;
  private static final int W = 1000;
  private static final String YAML =
      """
      domain: d
      descriptors:
        - key: sliding
          algorithm: sliding_window
          rate_limit: {unit: second, requests_per_unit: 10}
        - key: fixed
          rate_limit: {unit: second, requests_per_unit: 10}
      """;

  /** How many calls to send at {@code offset} ms into the walk, given the room left. */
  private interface Adversary {
    int sendsAt(long offset, long room);
  }

  @Test
  void aBurstAtTheEndOfAWindowThenAtTheStartOfTheNextIsNotLetThroughTwice() {
    // The classic fixed-window exploit: L at 999 ms, L more at 1000 ms.
    Adversary boundaryBursts = (offset, room) -> offset == W - 1 || offset == W ? LIMIT : 0;
    List<Long> fixed = walk("fixed", boundaryBursts);
    List<Long> sliding = walk("sliding", boundaryBursts);
    assertThat(maxInAnyWindow(fixed)).isEqualTo(2 * LIMIT);
    assertThat(maxInAnyWindow(sliding)).isLessThanOrEqualTo(LIMIT + 1);
    assertWithinWorstCase(sliding);
  }

  @Test
  void greedyCallersNeverExceedTheWorstCase() {
    // Sends exactly what would be admitted, at every millisecond.
    Adversary greedy = (offset, room) -> (int) room;
    // Idles until the last 5 ms of the first window, then greedy: the pattern that approaches 2L.
    Adversary lateThenGreedy = (offset, room) -> offset >= W - 5 ? (int) room : 0;
    for (Adversary a : List.of(greedy, lateThenGreedy)) {
      List<Long> admitted = walk("sliding", a);
      assertThat(admitted).isNotEmpty();
      assertWithinWorstCase(admitted);
      assertThat(maxInAnyWindow(admitted)).isLessThan(2 * LIMIT);
    }
    assertThat(maxInAnyWindow(walk("fixed", lateThenGreedy))).isEqualTo(2 * LIMIT);
  }

  @Test
  void callersThatIgnoreRejectionsNeverExceedTheWorstCase() {
    Random random = new Random(42);
    Adversary blind = (offset, room) -> random.nextInt(100) < 8 ? 1 + random.nextInt(3) : 0;
    List<Long> admitted = walk("sliding", blind);
    assertThat(admitted.size()).isGreaterThan(2 * LIMIT);
    assertWithinWorstCase(admitted);
  }

  @Test
  void overTheLimitTheResetIsWhenTheNextCallWouldPass() {
    LimiterFixture f = new LimiterFixture(YAML);
    f.clock.set(LimiterFixture.T0 + 900);
    for (int i = 0; i < LIMIT; i++) {
      f.call("d", "sliding", "x");
    }
    f.clock.set(LimiterFixture.T0 + 1_050);
    RateLimitResponse r = f.call("d", "sliding", "x");
    assertThat(r.getOverallCode()).isEqualTo(RateLimitResponse.Code.OVER_LIMIT);
    long retry = r.getStatuses(0).getDurationUntilReset().getSeconds();
    assertThat(retry).isEqualTo(1);
    // After that wait the call passes.
    f.clock.advance(retry * 1000);
    assertThat(f.code("d", "sliding", "x")).isEqualTo(RateLimitResponse.Code.OK);
  }

  /**
   * Walks three windows, starting one window before an aligned boundary, and returns the times (ms
   * into the walk) of the admitted calls.
   */
  private static List<Long> walk(String key, Adversary adversary) {
    LimiterFixture f = new LimiterFixture(YAML);
    List<Long> admitted = new ArrayList<>();
    for (long offset = 0; offset < 3 * W; offset++) {
      f.clock.set(LimiterFixture.T0 + offset);
      // A look (hits_addend 0) tells the adversary how much room there is.
      RateLimitResponse look = f.call(request("d", d(0, key, "x")));
      long room = Integer.toUnsignedLong(look.getStatuses(0).getLimitRemaining());
      int sends = adversary.sendsAt(offset, room);
      for (int i = 0; i < sends; i++) {
        if (f.code("d", key, "x") == RateLimitResponse.Code.OK) {
          admitted.add(offset);
        }
      }
    }
    return admitted;
  }

  /** Every interval [t - W, t) holds at most floor(L * (1 + f)), f = (t mod W) / W. */
  private static void assertWithinWorstCase(List<Long> admitted) {
    for (long t = 0; t <= 3 * W; t++) {
      long count = countIn(admitted, t - W, t);
      double f = (double) Math.floorMod(t, W) / W;
      long bound = (long) Math.floor(LIMIT * (1 + f));
      assertThat(count)
          .as("calls admitted in [%d, %d) ms, window fraction %.3f", t - W, t, f)
          .isLessThanOrEqualTo(bound);
    }
  }

  private static long maxInAnyWindow(List<Long> admitted) {
    long max = 0;
    for (long t = 0; t <= 3 * W; t++) {
      max = Math.max(max, countIn(admitted, t - W, t));
    }
    return max;
  }

  private static long countIn(List<Long> times, long from, long to) {
    return times.stream().filter(x -> x >= from && x < to).count();
  }
}
