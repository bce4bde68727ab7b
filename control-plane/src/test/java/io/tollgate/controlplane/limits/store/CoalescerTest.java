package io.tollgate.controlplane.limits.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The coalescer on a hand-driven clock and scheduler: no threads, no sleeps. */
class CoalescerTest {

  private static final Duration INTERVAL = Duration.ofMillis(200);

  /** A scheduler whose tasks run when the test advances its clock, one at a time, in time order. */
  private static final class ManualTime implements Coalescer.Scheduler {
    private record Due(long at, Runnable task) {}

    long now;
    private final List<Due> due = new ArrayList<>();

    @Override
    public void schedule(Runnable task, Duration delay) {
      due.add(new Due(now + delay.toNanos(), task));
    }

    /** Moves the clock to {@code now + millis}, running what falls due on the way. */
    void advance(long millis) {
      long until = now + Duration.ofMillis(millis).toNanos();
      while (true) {
        Due next = due.stream().min(Comparator.comparingLong(Due::at)).orElse(null);
        if (next == null || next.at() > until) {
          break;
        }
        due.remove(next);
        now = Math.max(now, next.at());
        next.task().run();
      }
      now = until;
    }

    int scheduled() {
      return due.size();
    }
  }

  private final ManualTime time = new ManualTime();
  private final List<Long> runs = new ArrayList<>();
  private final Coalescer coalescer =
      new Coalescer(() -> runs.add(time.now), INTERVAL, time, () -> time.now);

  @Test
  void anIsolatedRequestRunsAtOnce() {
    coalescer.request();
    time.advance(0);
    assertThat(runs).containsExactly(0L);
  }

  @Test
  void aBurstWithinOneIntervalRunsOnceMoreAtItsEnd() {
    coalescer.request();
    time.advance(0);
    for (int i = 0; i < 100; i++) {
      time.advance(1);
      coalescer.request();
    }
    assertThat(time.scheduled()).isEqualTo(1);
    time.advance(1000);
    assertThat(runs).containsExactly(0L, Duration.ofMillis(200).toNanos());
  }

  @Test
  void aSteadyStreamRunsOncePerIntervalAndNoRequestWaitsLongerThanAnInterval() {
    List<Long> requests = new ArrayList<>();
    for (int i = 0; i < 700; i++) {
      time.advance(3);
      requests.add(time.now);
      coalescer.request();
    }
    time.advance(1000);
    assertThat(runs.size()).isBetween(10, 12); // 2.1 s at one run per 200 ms
    for (int i = 1; i < runs.size(); i++) {
      assertThat(runs.get(i) - runs.get(i - 1)).isGreaterThanOrEqualTo(INTERVAL.toNanos());
    }
    for (long asked : requests) {
      long served = runs.stream().filter(r -> r >= asked).findFirst().orElseThrow();
      assertThat(served - asked).isLessThanOrEqualTo(INTERVAL.toNanos());
    }
  }

  @Test
  void aRequestDuringARunIsServedByTheNextRun() {
    List<Long> nested = new ArrayList<>();
    Coalescer[] self = new Coalescer[1];
    self[0] =
        new Coalescer(
            () -> {
              nested.add(time.now);
              if (nested.size() == 1) {
                self[0].request(); // a write committed while the snapshot is being built
              }
            },
            INTERVAL,
            time,
            () -> time.now);
    self[0].request();
    time.advance(1000);
    assertThat(nested).containsExactly(0L, INTERVAL.toNanos());
  }

  @Test
  void aRunLongerThanTheIntervalIsFollowedByAPauseAsLong() {
    long took = Duration.ofMillis(500).toNanos();
    List<Long> slow = new ArrayList<>();
    Coalescer coalescing =
        new Coalescer(
            () -> {
              slow.add(time.now);
              time.now += took; // the build takes 500 ms of the clock
            },
            INTERVAL,
            time,
            () -> time.now);
    coalescing.request();
    time.advance(0);
    coalescing.request(); // right after the slow run ended
    time.advance(2000);
    assertThat(slow).containsExactly(0L, 2 * took);
  }

  @Test
  void aNegativeIntervalIsRefused() {
    assertThatThrownBy(() -> new Coalescer(() -> {}, Duration.ofMillis(-1), time, () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
