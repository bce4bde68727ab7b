package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tollgate.e2e.SteadyLoad.Request;
import io.tollgate.testsupport.ControlPlaneProcess;
import io.tollgate.testsupport.EnvoyProcess;
import io.tollgate.testsupport.RedisServer;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 10's multi-instance topology end to end ({@link MultiInstanceStack}: two Envoys, two
 * rate-limit services on a Redis Cluster, two control planes on one PostgreSQL): limits are shared,
 * rules converge through the database, and stopping one of each under load loses only what the
 * stopped process had in flight. The last test stops processes, so the order is fixed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiInstanceIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration PROPAGATION = Duration.ofSeconds(2);
  private static final Duration SETTLE = Duration.ofSeconds(30);

  /** Requests between two stops: a few seconds of load, so most slices are away from any stop. */
  private static final int BETWEEN_STOPS = 150;

  private static final String PROBE_IP = "127.0.4.9";
  private static final long SLICE_NANOS = Duration.ofSeconds(1).toNanos();
  private static final Pattern KEY =
      Pattern.compile("\\{\"key\":\"([^\"]*)\",\"requests\":(\\d+),\"rateLimited\":(\\d+)}");

  private final Instant since = Instant.now().minusSeconds(120);
  private MultiInstanceStack stack;

  @BeforeAll
  void start() {
    stack = MultiInstanceStack.start();
  }

  @AfterAll
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void aPerIpLimitOfFiveHoldsAcrossBothEnvoysInTotal() {
    long version =
        create(
            stack.controlPlaneA(),
            """
            {"name":"multi-per-ip","match":{"pathPrefix":"/categories/"},"by":["ip"],
             "limit":{"requests":5,"per":"minute"}}""");
    awaitAppliedEverywhere(version);
    LimitsSuite.awaitFreshMinuteIfNearItsEnd();
    long[] before = downstreamRequests();

    Map<Integer, Integer> statuses = new TreeMap<>();
    for (int i = 0; i < 20; i++) {
      statuses.merge(stack.get("127.0.3.1", "/categories/MLA1051").status(), 1, Integer::sum);
    }

    assertThat(statuses).isEqualTo(Map.of(200, 5, 429, 15));
    long[] after = downstreamRequests();
    assertThat(after[0] - before[0]).as("requests Envoy 1 served").isPositive();
    assertThat(after[1] - before[1]).as("requests Envoy 2 served").isPositive();
  }

  @Test
  @Order(2)
  void aRuleCreatedThroughControlPlaneAIsEnforcedByTheEnvoysOfControlPlaneBWithinTwoSeconds() {
    assertThat(connectedNodes(stack.controlPlaneB())).contains("envoy-2");
    assertThat(connectedNodes(stack.controlPlaneA())).doesNotContain("envoy-2");
    long[] overLimitBefore = overLimit();

    long start = System.nanoTime();
    create(
        stack.controlPlaneA(),
        """
        {"name":"multi-live","match":{"pathPrefix":"/t/multi-live/"},
         "limit":{"requests":0,"per":"minute"}}""");
    List<Request> polled = new ArrayList<>();
    long[] bothBlockedAt = {0};
    // Until each Envoy has blocked at least once (its over-limit counter moved) and the last 20
    // answers were all 429.
    await()
        .atMost(Duration.ofSeconds(20))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              long s = System.nanoTime();
              int status = stack.get("127.0.3.2", "/t/multi-live/a").status();
              long end = System.nanoTime();
              polled.add(new Request("127.0.3.2", "/t/multi-live/a", s, end, status));
              long[] now = overLimit();
              if (bothBlockedAt[0] == 0
                  && now[0] > overLimitBefore[0]
                  && now[1] > overLimitBefore[1]) {
                bothBlockedAt[0] = end;
              }
              return bothBlockedAt[0] != 0
                  && polled.size() >= 20
                  && polled.subList(polled.size() - 20, polled.size()).stream()
                      .allMatch(r -> r.status() == 429);
            });

    Duration bothBlocked = Duration.ofNanos(bothBlockedAt[0] - start);
    System.out.printf(
        "multi: rule created through A blocked by both Envoys %d ms after its POST (%d polls)%n",
        bothBlocked.toMillis(), polled.size());
    assertThat(bothBlocked).isLessThan(PROPAGATION);
    assertThat(polled.stream().filter(r -> r.startNanos() > bothBlockedAt[0]))
        .as("once both Envoys block, nothing is forwarded")
        .allMatch(r -> r.status() == 429);
  }

  @Test
  @Order(3)
  void stoppingOneOfEachUnderLoadLosesOnlyWhatWasInFlightAndLimitsAndStatisticsHold() {
    awaitFreshHourIfNearItsEnd();
    long version =
        create(
            stack.controlPlaneB(),
            """
            {"name":"multi-load","match":{"pathPrefix":"/load/"},"by":["ip"],
             "limit":{"requests":1000000,"per":"hour"}}""");
    version =
        Math.max(
            version,
            create(
                stack.controlPlaneB(),
                """
                {"name":"multi-probe","match":{"pathPrefix":"/sites/"},"by":["ip"],
                 "limit":{"requests":5,"per":"hour"}}"""));
    awaitAppliedEverywhere(version);

    long loadStart = System.nanoTime();
    List<Phase> phases = new ArrayList<>();
    List<Request> requests;
    try (SteadyLoad load =
        new SteadyLoad(
            List.of("127.0.4.1", "127.0.4.2", "127.0.4.3", PROBE_IP),
            (ip, now) ->
                ip.equals(PROBE_IP) ? "/sites/MLA" : "/load/" + (now - loadStart) / SLICE_NANOS,
            stack::get,
            40)) {
      awaitHealthyLoad(load);

      phases.add(
          Phase.stop("rate-limit service 1", () -> stack.rateLimit1().stop(), Duration.ZERO));
      awaitHealthyLoad(load);

      // A planned stop first: another master hands over to its replica, then stops. Nothing on the
      // request path is lost, so no request may fail (no grace).
      RedisServer planned =
          stack.redis().masters().stream()
              .filter(n -> !n.cli("--scan", "--pattern", "*" + PROBE_IP + "*").contains(PROBE_IP))
              .findFirst()
              .orElseThrow(() -> new AssertionError("every master holds the probe's counter"));
      phases.add(
          Phase.stopOffPath(
              "Redis master " + planned.address() + " (handed over, then stopped)",
              () -> stack.redis().handOverAndStop(planned, Duration.ofSeconds(30))));
      awaitHealthyLoad(load);

      // Then a crash of the master holding the probe's counter: the limit must survive the
      // failover; calls on its slots fail per the failure mode until the replica is promoted.
      RedisServer master =
          stack.redis().masters().stream()
              .filter(n -> n.cli("--scan", "--pattern", "*" + PROBE_IP + "*").contains(PROBE_IP))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no master holds the probe's counter"));
      phases.add(
          Phase.stop(
              "Redis master " + master.address(),
              () -> {
                master.shutdown();
                stack.redis().awaitReady(Duration.ofSeconds(30));
              },
              // The services follow the new master on their next topology refresh (1 s apart).
              Duration.ofSeconds(2)));
      awaitHealthyLoad(load);

      phases.add(
          Phase.stopOffPath(
              "control plane A",
              () -> {
                stack.controlPlaneA().stop();
                await()
                    .atMost(SETTLE)
                    .until(() -> connectedNodes(stack.controlPlaneB()).contains("envoy-1"));
              }));
      awaitHealthyLoad(load);

      phases.add(Phase.stop("Envoy 1", () -> stack.envoy1().close(), Duration.ZERO));
      awaitHealthyLoad(load);
      load.close();
      requests = load.requests();
    }

    phases.forEach(p -> System.out.println("multi: " + p.describe(requests)));
    List<Request> failed = requests.stream().filter(r -> !expected(r)).collect(Collectors.toList());
    System.out.printf("multi: %d requests under load, %d failed%n", requests.size(), failed.size());
    phases.forEach(
        p ->
            System.out.printf(
                "multi: %s from +%d to +%d ms%n",
                p.name(),
                (p.beginNanos() - loadStart) / 1_000_000,
                (p.endNanos() - loadStart) / 1_000_000));
    for (Request r : failed) {
      assertThat(phases.stream().anyMatch(p -> p.inFlight(r)))
          .as("failed request %s attributable to a stopped process (%s)", r, phases)
          .isTrue();
    }

    for (Phase p : phases) {
      if (!p.onRequestPath()) {
        assertThat(failed.stream().filter(r -> r.overlaps(p.beginNanos(), p.endNanos())))
            .as("requests failed while %s stopped", p.name())
            .isEmpty();
      }
    }

    List<Request> probe = requests.stream().filter(r -> r.path().equals("/sites/MLA")).toList();
    assertThat(probe.stream().filter(r -> r.status() == 200).count())
        .as("the probe's 5/hour across both Envoys and every stop")
        .isEqualTo(5);
    assertThat(probe.stream().filter(r -> r.status() == 429).count()).isGreaterThan(20);

    assertStatisticsSum(requests, phases);
  }

  /**
   * The statistics of both control planes (A wrote everything it had when it stopped gracefully; B
   * answers from the shared rows plus its own open minute) count every request of every one-second
   * slice exactly, except the slices around a stopped Envoy or control plane: there the access-log
   * entries Envoy had buffered or in flight to the stopped process are lost (docs/statistics.md),
   * so those slices may count less, never more.
   */
  private void assertStatisticsSum(List<Request> requests, List<Phase> phases) {
    Map<String, Long> answered = new TreeMap<>();
    Map<String, Long> sent = new TreeMap<>();
    Set<String> lossy = new HashSet<>();
    for (Request r : requests) {
      if (!r.path().startsWith("/load/")) {
        continue;
      }
      sent.merge(r.path(), 1L, Long::sum);
      if (r.answered()) {
        answered.merge(r.path(), 1L, Long::sum);
      }
      if (phases.stream().anyMatch(p -> p.losesStatistics() && p.nearby(r))) {
        lossy.add(r.path());
      }
    }
    Map<String, Long> exact = new TreeMap<>(answered);
    exact.keySet().removeAll(lossy);
    assertThat(exact).as("slices away from any stop").hasSizeGreaterThan(5);
    String[] last = {""};
    await()
        .atMost(SETTLE)
        .untilAsserted(
            () -> {
              Map<String, Long> counted = countedByPath(stack.controlPlaneB());
              last[0] = counted.toString();
              exact.forEach(
                  (path, n) ->
                      assertThat(counted.get(path)).as("requests of %s", path).isEqualTo(n));
              lossy.forEach(
                  path ->
                      assertThat(counted.getOrDefault(path, 0L))
                          .as("requests of %s", path)
                          .isLessThanOrEqualTo(sent.get(path)));
            });
    long lost =
        lossy.stream()
            .mapToLong(
                p ->
                    answered.getOrDefault(p, 0L)
                        - countedByPath(stack.controlPlaneB()).getOrDefault(p, 0L))
            .sum();
    System.out.printf(
        "multi: statistics exact for %d one-second slices (%d requests); %d slices near a stop"
            + " lost %d access-log entries%n",
        exact.size(), exact.values().stream().mapToLong(Long::longValue).sum(), lossy.size(), lost);
  }

  /** What a request under load must get when nothing fails: the mock's 404, or 200/429. */
  private static boolean expected(Request r) {
    return r.path().equals("/sites/MLA")
        ? r.status() == 200 || r.status() == 429
        : r.status() == 404;
  }

  /**
   * One process stopped under load: from the moment the stop began until it had stopped (plus, for
   * Redis, the moment its replica took over and the clients followed).
   */
  private record Phase(
      String name, long beginNanos, long endNanos, long graceNanos, boolean onRequestPath) {

    /**
     * Stops a process on the request path (Envoy, rate-limit service, Redis): requests it had in
     * flight may fail; for Redis also those until its replica took over and the services followed
     * ({@code grace} after the cluster is whole again).
     */
    static Phase stop(String name, Runnable stop, Duration grace) {
      return timed(name, stop, grace, true);
    }

    /**
     * Stops a process no request depends on at that moment (a control plane; a Redis master that
     * handed its slots over first): no request may fail.
     */
    static Phase stopOffPath(String name, Runnable stop) {
      return timed(name, stop, Duration.ZERO, false);
    }

    private static Phase timed(String name, Runnable stop, Duration grace, boolean onPath) {
      long begin = System.nanoTime();
      stop.run();
      return new Phase(name, begin, System.nanoTime(), grace.toNanos(), onPath);
    }

    /** Started before the process was gone and ended after its stop began. */
    boolean inFlight(Request r) {
      return onRequestPath && r.overlaps(beginNanos, endNanos + graceNanos);
    }

    /** Envoys and control planes carry access-log entries; the others do not. */
    boolean losesStatistics() {
      return name.startsWith("Envoy") || name.startsWith("control plane");
    }

    /** Within Envoy's 1 s access-log flush (and a margin) of the stop. */
    boolean nearby(Request r) {
      long margin = Duration.ofSeconds(2).toNanos();
      return r.overlaps(beginNanos - margin, endNanos + margin);
    }

    String describe(List<Request> requests) {
      long failed =
          requests.stream()
              .filter(r -> !expected(r) && r.overlaps(beginNanos, endNanos + graceNanos))
              .count();
      // A control plane is off the request path: any failure here would fail the test.
      return "%s stopped in %d ms; %d requests failed from then until %d ms after"
          .formatted(name, (endNanos - beginNanos) / 1_000_000, failed, graceNanos / 1_000_000);
    }
  }

  /**
   * Waits for {@link #BETWEEN_STOPS} more requests, the last of them all answered as expected, so
   * each stop starts from a healthy fleet and its failures cannot be another stop's.
   */
  private static void awaitHealthyLoad(SteadyLoad load) {
    int target = load.completed() + BETWEEN_STOPS;
    await()
        .atMost(SETTLE)
        .until(
            () -> {
              List<Request> done = load.requests();
              return done.size() >= target
                  && done.subList(done.size() - 40, done.size()).stream()
                      .allMatch(MultiInstanceIT::expected);
            });
  }

  /** The probe counts per hour: an hour boundary during the run would reset it. */
  private static void awaitFreshHourIfNearItsEnd() {
    Instant now = Instant.now();
    int secondOfHour =
        now.atZone(ZoneOffset.UTC).getMinute() * 60 + now.atZone(ZoneOffset.UTC).getSecond();
    if (secondOfHour > 3600 - 150) {
      Instant next = now.plusSeconds(3601 - secondOfHour);
      await().atMost(Duration.ofSeconds(160)).until(() -> Instant.now().isAfter(next));
    }
  }

  private long create(ControlPlaneProcess cp, String rule) {
    HttpResponse<String> r = stack.rest(cp, "POST", "/api/v1/limits", rule);
    assertThat(r.statusCode()).as("POST %s -> %s", rule, r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).path("version").asLong();
  }

  /** Both Envoys and both rate-limit services run rules version {@code version} or later. */
  private void awaitAppliedEverywhere(long version) {
    Set<String> all =
        Set.of(
            stack.envoy1().nodeId(),
            stack.envoy2().nodeId(),
            stack.rateLimit1().nodeId(),
            stack.rateLimit2().nodeId());
    await()
        .atMost(SETTLE)
        .until(
            () -> {
              Set<String> applied = new HashSet<>();
              for (ControlPlaneProcess cp : List.of(stack.controlPlaneA(), stack.controlPlaneB())) {
                JsonNode status =
                    JSON.readTree(stack.rest(cp, "GET", "/api/v1/limits/status", null).body());
                for (JsonNode node : status.path("nodes")) {
                  if (node.path("connected").asBoolean()
                      && node.path("appliedRulesVersion").asLong(-1) >= version) {
                    applied.add(node.path("id").asString());
                  }
                }
              }
              return applied.containsAll(all);
            });
  }

  /**
   * Ids of the nodes with an open stream to {@code cp}: its own streams ({@code
   * /api/v1/xds/nodes}); {@code /api/v1/limits/status} lists the nodes of every replica sharing the
   * database.
   */
  private Set<String> connectedNodes(ControlPlaneProcess cp) {
    Set<String> ids = new HashSet<>();
    JsonNode nodes = JSON.readTree(stack.rest(cp, "GET", "/api/v1/xds/nodes", null).body());
    for (JsonNode node : nodes) {
      if ("CONNECTED".equals(node.path("state").asString())) {
        ids.add(node.path("id").asString());
      }
    }
    return ids;
  }

  private long[] downstreamRequests() {
    return perEnvoy(e -> e.statOrZero("http.tollgate.downstream_rq_total"));
  }

  private long[] overLimit() {
    // The filter counts under the cluster of the route it limits.
    return perEnvoy(e -> statSum(e, "ratelimit.over_limit"));
  }

  private long[] perEnvoy(java.util.function.ToLongFunction<EnvoyProcess> stat) {
    return new long[] {stat.applyAsLong(stack.envoy1()), stat.applyAsLong(stack.envoy2())};
  }

  /** Sum of the counters whose names end with {@code suffix}. */
  private static long statSum(EnvoyProcess envoy, String suffix) {
    long sum = 0;
    for (String line : envoy.admin("/stats?filter=" + suffix).split("\n")) {
      int colon = line.lastIndexOf(": ");
      if (colon > 0 && line.substring(0, colon).endsWith(suffix)) {
        sum += Long.parseLong(line.substring(colon + 2).trim());
      }
    }
    return sum;
  }

  private Map<String, Long> countedByPath(ControlPlaneProcess cp) {
    HttpResponse<String> r =
        stack.rest(
            cp,
            "GET",
            "/api/v1/stats/top?by=path&limit=1000&from="
                + URLEncoder.encode(since.toString(), StandardCharsets.UTF_8),
            null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Map<String, Long> out = new TreeMap<>();
    Matcher m = KEY.matcher(r.body());
    while (m.find()) {
      out.put(m.group(1), Long.parseLong(m.group(2)));
    }
    return out;
  }
}
