package io.tollgate.ratelimit.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The assignment arithmetic against a model of two Envoys ({@link EnvoyQuotaModel}) at steady load
 * far above the limit, reporting every 5 s at different phases, with the service's window-boundary
 * pushes: the fleet admits no more than the limit plus the documented bound per window within one
 * replica (a token per Envoy from rounding; the Envoys' buckets are about empty when replaced), and
 * not much less.
 */
class ApproximateTierSimulationTest {

  private static final long WINDOW = 60_000;
  private static final long INTERVAL = 5_000;

  /** Within one replica: the limit and one token per Envoy (two here) from rounding up. */
  private static long bound(long limit) {
    return limit + 2;
  }

  /** Requests per second Envoy {@code envoy} receives at {@code t} ms. */
  interface Demand {
    double perSecond(int envoy, long t);
  }

  private static List<Long> run(long limit, double[] demandPerSecond, long[] phase, int minutes) {
    return run(limit, (envoy, t) -> demandPerSecond[envoy], phase, minutes);
  }

  /** Per window: admitted requests of the Envoys (one per phase), from a run of {@code minutes}. */
  private static List<Long> run(long limit, Demand demand, long[] phase, int minutes) {
    AssignmentMath math = new AssignmentMath(INTERVAL, 60);
    int n = phase.length;
    EnvoyQuotaModel[] envoys = new EnvoyQuotaModel[n];
    BucketAssigner[] assigners = new BucketAssigner[n];
    boolean[] subscribed = new boolean[n];
    double[] due = new double[n];
    for (int i = 0; i < n; i++) {
      envoys[i] = new EnvoyQuotaModel();
      assigners[i] = new BucketAssigner(math, 0.5);
    }
    Map<Long, Long> counted = new HashMap<>(); // window start -> admitted, as reported
    Reservations reservations = new Reservations();
    long[] fleetDemand = {0};
    Map<Long, Long> admittedByWindow = new HashMap<>();
    long end = minutes * WINDOW;
    for (long t = 0; t < end; t++) {
      long window = t / WINDOW * WINDOW;
      for (int i = 0; i < n; i++) {
        due[i] += demand.perSecond(i, t) / 1000.0;
        while (due[i] >= 1) {
          due[i] -= 1;
          if (envoys[i].request(t)) {
            admittedByWindow.merge(window, 1L, Long::sum);
          }
          if (!subscribed[i]) {
            subscribed[i] = true; // the first request's immediate report
            report(i, t, limit, envoys[i], assigners[i], counted, fleetDemand, reservations);
          }
        }
        if (subscribed[i] && t % INTERVAL == phase[i]) {
          report(i, t, limit, envoys[i], assigners[i], counted, fleetDemand, reservations);
        }
        if (subscribed[i] && t % WINDOW == 5) {
          Reservations.Reserved others = reservations.others("b", envoys[i], window);
          Assignment a =
              assigners[i].push(limit, WINDOW, t, counted.getOrDefault(window, 0L), others);
          reservations.reserve("b", envoys[i], window, a.allowance());
          envoys[i].apply(a, t);
        }
      }
    }
    List<Long> perWindow = new ArrayList<>();
    for (long w = 0; w < end; w += WINDOW) {
      perWindow.add(admittedByWindow.getOrDefault(w, 0L));
    }
    return perWindow;
  }

  private static void report(
      int i,
      long t,
      long limit,
      EnvoyQuotaModel envoy,
      BucketAssigner assigner,
      Map<Long, Long> counted,
      long[] fleetDemand,
      Reservations reservations) {
    long[] usage = envoy.takeUsage();
    long ws = t / WINDOW * WINDOW;
    long tail = UsageSplit.previousWindowPart(usage[0], envoy.lastReport, ws, t);
    envoy.lastReport = t;
    counted.merge(ws - WINDOW, tail, Long::sum);
    long inWindow = counted.merge(ws, usage[0] - tail, Long::sum);
    fleetDemand[0] += usage[0] + usage[1];
    Reservations.Reserved others = reservations.others("b", envoy, ws);
    Assignment a =
        assigner.report(limit, WINDOW, t, usage[0] + usage[1], fleetDemand[0], inWindow, others);
    reservations.reserve("b", envoy, ws, a.allowance());
    envoy.apply(a, t);
  }

  @Test
  void twoEnvoysAtSteadyOverloadStayWithinFivePercentOfTheLimit() {
    long limit = 600;
    List<Long> perWindow = run(limit, new double[] {200, 50}, new long[] {0, 2_300}, 12);
    // The first window starts with both Envoys in the no-assignment state (ALLOW_ALL).
    for (long admitted : perWindow.subList(1, perWindow.size())) {
      assertThat(admitted).isLessThanOrEqualTo(bound(limit)).isGreaterThan(limit * 90 / 100);
    }
  }

  @Test
  void equalDemandSplitsTheLimitEvenly() {
    long limit = 1_200;
    List<Long> perWindow = run(limit, new double[] {100, 100}, new long[] {1_000, 3_500}, 8);
    for (long admitted : perWindow.subList(1, perWindow.size())) {
      assertThat(admitted).isLessThanOrEqualTo(bound(limit)).isGreaterThan(limit * 90 / 100);
    }
  }

  @Test
  void idleEnvoysSpikingAtTheWindowsEndStayWithinFivePercent() {
    long limit = 600;
    // 1 request/s each for 50 s, then 300/s each: the fleet's share is spent in a burst.
    Demand spikes = (envoy, t) -> t % WINDOW < 50_000 ? 1 : 300;
    List<Long> perWindow = run(limit, spikes, new long[] {0, 2_300}, 8);
    for (long admitted : perWindow.subList(1, perWindow.size())) {
      assertThat(admitted).isLessThanOrEqualTo(bound(limit)).isGreaterThan(limit * 80 / 100);
    }
  }

  @Test
  void demandBelowTheLimitIsAllAdmitted() {
    List<Long> perWindow = run(6_000, new double[] {20, 30}, new long[] {0, 2_500}, 5);
    for (long admitted : perWindow.subList(1, perWindow.size())) {
      assertThat(admitted).isEqualTo(3_000);
    }
  }
}
