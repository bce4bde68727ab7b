package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.testsupport.EnvoyProcess;
import io.tollgate.testsupport.SourceAddressHttp;
import io.tollgate.testsupport.Teardown;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The approximate tier end to end (issue 12) on the shared stack: its control plane, its rate-limit
 * service (memory store) serving RLQS, its Envoy plus a second one this class starts on the same
 * proxy port (SO_REUSEPORT: the kernel spreads the clients' connections over both, as an L4
 * balancer would), and the nginx mock. Two approximate rules on one path, created through REST:
 * {@value #SHARED} ({@value #N} per minute, one counter for everyone) and {@value #PER_IP} ({@value
 * #M} per minute per client IP). One client IP sends much faster than the others.
 *
 * <p>Once both Envoys enforce assignments, the rate-limit service is stopped for {@value
 * #OUTAGE_SECONDS} s: as the README says, the Envoys keep enforcing their last assignments and no
 * request fails. Started again (with empty counters: memory store), the first whole window after
 * the restart is asserted across both Envoys (each alone would admit the whole limit): at most
 * {@code N} plus the bound admitted in all, at most {@code M} plus the bound for the fast client
 * (both rules apply to one request: one quota filter per rule), both Envoys admitting and refusing;
 * the rule is shown as approximate by REST and the export.
 *
 * <p>Minute windows, not seconds: Envoy 1.40 reports usage on a fixed 5 s timer, and the service
 * counts (and denies) only windows of at least four reports; shorter ones get a steady rate
 * (ratelimit-service README, "RLQS"). So this class costs one whole minute window plus the wait for
 * its start, and no stack of its own.
 */
@ExtendWith(SharedStack.class)
class ApproximateTierIT {

  static final String SHARED = "approx-shared";
  static final String PER_IP = "approx-per-ip";
  static final int N = 60;
  static final int M = 20;
  static final int OUTAGE_SECONDS = 8;

  /** A path of the mock no other class sends to, so the rules touch nothing else. */
  static final String PATH = "/items/MLA1100000001";

  /**
   * What the test allows above a limit per window. The service's bound (ratelimit-service README,
   * "RLQS") is the limit plus what each Envoy admits in one 5 s reporting interval under its last
   * assignment, plus a token per Envoy and report; at these small limits that is a few requests,
   * and a window seen by the client can also hold a request or two the service counted in the next.
   * A quarter of the limit stays far below what two Envoys counting alone would admit (twice the
   * limit).
   */
  static long bound(int limit) {
    return limit / 4;
  }

  static final String FAST_CLIENT = "127.0.0.2";
  static final List<String> SLOW_CLIENTS =
      IntStream.rangeClosed(3, 7).mapToObj(i -> "127.0.0." + i).toList();

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Teardown STARTED = new Teardown();
  private static TollgateStack stack;
  private static EnvoyProcess envoy1;
  private static EnvoyProcess envoy2;

  @BeforeAll
  static void start(TollgateStack shared) {
    stack = shared;
    stack.use(stack.httpMockConfig());
    stack.rateLimitService();
    envoy1 = stack.envoy();
    envoy2 =
        STARTED.add(EnvoyProcess.builder(stack.controlPlane().xdsPort()).nodeId("envoy-2").start());
    envoy2.awaitListener(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    STARTED.close();
    if (stack != null) {
      for (String rule : List.of(SHARED, PER_IP)) {
        stack.rest("DELETE", "/api/v1/limits/" + rule, null, "*");
      }
    }
  }

  @Test
  void limitsHoldAcrossBothEnvoysAfterARateLimitServiceRestart() {
    create(
        """
        {"name":"%s","match":{"path":"%s"},"limit":{"requests":%d,"per":"minute"},
         "accuracy":"approximate"}"""
            .formatted(SHARED, PATH, N));
    create(
        """
        {"name":"%s","match":{"path":"%s"},"by":["ip"],
         "limit":{"requests":%d,"per":"minute"},"accuracy":"approximate"}"""
            .formatted(PER_IP, PATH, M));
    JsonNode shown =
        JSON.readTree(stack.rest("GET", "/api/v1/limits/" + SHARED, null, null).body());
    assertThat(shown.path("accuracy").asString()).isEqualTo("approximate");
    assertThat(stack.rest("GET", "/api/v1/limits/export", null, null).body())
        .contains("value: " + SHARED, "key: accuracy", "value: approximate");
    for (EnvoyProcess envoy : List.of(envoy1, envoy2)) {
      envoy
          .process()
          .await(
              envoy.nodeId() + " to run both quota filters",
              Duration.ofSeconds(30),
              () -> {
                String dump = envoy.admin("/config_dump?resource=dynamic_listeners");
                return dump.contains("tollgate.quota." + SHARED)
                    && dump.contains("tollgate.quota." + PER_IP);
              });
    }

    Clock clock = new Clock();
    long ok1 = envoy1.statOrZero("http.tollgate.downstream_rq_2xx");
    long ok2 = envoy2.statOrZero("http.tollgate.downstream_rq_2xx");
    long refused1 = envoy1.statOrZero("http.tollgate.downstream_rq_4xx");
    long refused2 = envoy2.statOrZero("http.tollgate.downstream_rq_4xx");
    try (SteadyLoad fast = load(List.of(FAST_CLIENT), 20);
        SteadyLoad slow = load(SLOW_CLIENTS, 200)) {
      // Both Envoys enforce an assignment of the service (they refuse the fast client).
      for (EnvoyProcess envoy : List.of(envoy1, envoy2)) {
        long before = envoy == envoy1 ? refused1 : refused2;
        envoy
            .process()
            .await(
                envoy.nodeId() + " to refuse under its assignments",
                Duration.ofSeconds(30),
                () -> envoy.statOrZero("http.tollgate.downstream_rq_4xx") > before);
      }

      // The service stops: each Envoy keeps enforcing its last assignment (until it expires at
      // the window's end, then TOLLGATE_APPROXIMATE_REUSE_LAST_ASSIGNMENT longer, then allows):
      // no request fails meanwhile.
      stack.rateLimitService().stop();
      long stoppedAt = clock.now();
      long outageEnd = stoppedAt + OUTAGE_SECONDS * 1000L;
      awaitWallClock(outageEnd);
      List<SteadyLoad.Request> outage = between(clock, fast, slow, stoppedAt, outageEnd);
      assertThat(outage).as("requests during the outage").isNotEmpty();
      assertThat(outage.stream().map(SteadyLoad.Request::status).distinct().toList())
          .as("no request fails while the service is down")
          .isSubsetOf(200, 429);

      // Back (with empty counters: memory store): the next whole window is within the limits,
      // across both Envoys.
      stack.rateLimitService().start();
      long next = clock.windowEnd(clock.now());
      awaitWallClock(clock.windowEnd(next) + 2_000);
      assertWithinLimits(clock, fast, slow, next);
      assertThat(envoy1.statOrZero("http.tollgate.downstream_rq_2xx") - ok1)
          .as("envoy-1 admitted some")
          .isPositive();
      assertThat(envoy2.statOrZero("http.tollgate.downstream_rq_2xx") - ok2)
          .as("envoy-2 admitted some")
          .isPositive();
      assertThat(
              between(clock, fast, slow, next, clock.windowEnd(next)).stream()
                  .filter(r -> r.status() == 429))
          .as("refused in the window")
          .isNotEmpty();
      // The statistics see the quota filter's rejections as they see the exact tier's.
      for (String rule : List.of(SHARED, PER_IP)) {
        stack
            .controlPlane()
            .process()
            .await(
                "blocked calls of " + rule,
                Duration.ofSeconds(20),
                () -> {
                  JsonNode calls =
                      JSON.readTree(
                          stack
                              .rest("GET", "/api/v1/stats/blocked?rule=" + rule, null, null)
                              .body());
                  return calls.size() > 0
                      && !calls.get(0).path("requestId").asString("").isEmpty()
                      && calls.get(0).path("path").asString("").equals(PATH);
                });
      }
    }
  }

  /** Per window: the shared limit over everyone, the per-IP limit for the fast client. */
  private static void assertWithinLimits(
      Clock clock, SteadyLoad fast, SteadyLoad slow, long windowStart) {
    List<SteadyLoad.Request> window =
        between(clock, fast, slow, windowStart, clock.windowEnd(windowStart));
    long admitted = window.stream().filter(r -> r.status() == 200).count();
    long fastAdmitted =
        window.stream().filter(r -> r.status() == 200 && r.clientIp().equals(FAST_CLIENT)).count();
    Map<Integer, Long> statuses =
        window.stream()
            .collect(
                Collectors.groupingBy(
                    SteadyLoad.Request::status, TreeMap::new, Collectors.counting()));
    String seen =
        "window %s: statuses %s, admitted %d (limit %d), fast client admitted %d (limit %d); load %s"
            .formatted(
                java.time.Instant.ofEpochMilli(windowStart),
                statuses,
                admitted,
                N,
                fastAdmitted,
                M,
                readLoadAverage());
    // The figures, for the record (surefire keeps the output per test).
    System.out.println("ApproximateTierIT " + seen);
    assertThat(statuses.keySet()).as(seen).containsOnly(200, 429);
    assertThat(admitted).as(seen).isLessThanOrEqualTo(N + bound(N)).isGreaterThan(N / 2);
    assertThat(fastAdmitted).as(seen).isLessThanOrEqualTo(M + bound(M)).isPositive();
  }

  private static List<SteadyLoad.Request> between(
      Clock clock, SteadyLoad fast, SteadyLoad slow, long fromMillis, long toMillis) {
    return java.util.stream.Stream.concat(fast.requests().stream(), slow.requests().stream())
        .filter(
            r -> {
              long at = clock.wall(r.startNanos());
              return at >= fromMillis && at < toMillis;
            })
        .toList();
  }

  private static void awaitWallClock(long millis) {
    stack
        .controlPlane()
        .process()
        .await(
            "the clock to reach " + millis,
            Duration.ofMillis(Math.max(0, millis - System.currentTimeMillis()) + 10_000),
            () -> System.currentTimeMillis() >= millis);
  }

  private static SteadyLoad load(List<String> clients, long pauseMillis) {
    return new SteadyLoad(
        clients,
        (ip, now) -> PATH,
        (ip, path) -> SourceAddressHttp.from(ip).get("127.0.0.1", stack.proxyPort(), path),
        pauseMillis);
  }

  private static void create(String rule) {
    HttpResponse<String> created = stack.rest("POST", "/api/v1/limits", rule, null);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
  }

  private static String readLoadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Wall-clock milliseconds of the load's {@link System#nanoTime()} stamps; minute windows. */
  private static final class Clock {
    private final long wallAtStart = System.currentTimeMillis();
    private final long nanosAtStart = System.nanoTime();

    long wall(long nanos) {
      return wallAtStart + (nanos - nanosAtStart) / 1_000_000;
    }

    long now() {
      return wall(System.nanoTime());
    }

    long windowStart(long millis) {
      return Math.floorDiv(millis, 60_000L) * 60_000L;
    }

    long windowEnd(long millis) {
      return windowStart(millis) + 60_000L;
    }
  }
}
