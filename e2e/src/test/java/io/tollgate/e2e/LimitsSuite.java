package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.testsupport.SourceAddressHttp.Response;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 5's acceptance, end to end: rules created through the REST API (or tollgate.yaml) are
 * enforced by the real Envoy and the real rate-limit service. One stack per class (processes start
 * once); each test owns its rule names and paths, so tests do not see each other's counters.
 * Subclasses pick the backends; the tests are the same for every variant.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LimitsSuite {

  static final String IP1 = "127.0.0.1";
  static final String IP2 = "127.0.0.2";
  static final String IP3 = "127.0.0.3";

  /** How fast a change must reach the fleet; the architecture's promise. */
  static final Duration PROPAGATION = Duration.ofSeconds(2);

  LimitsStack stack;

  abstract LimitsStack.Variant variant();

  @BeforeAll
  void startStack() {
    stack = LimitsStack.start(variant());
  }

  @AfterAll
  void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void perIpGivesExactlyFiveThen429WithHeadersAndCountsASecondIpApart() {
    long version =
        stack.create(
            """
            {"name":"per-ip","match":{"pathPrefix":"/categories/"},"by":["ip"],
             "limit":{"requests":5,"per":"minute"}}""");
    stack.awaitApplied(version);
    awaitFreshMinuteIfNearItsEnd();

    for (int i = 1; i <= 5; i++) {
      assertThat(stack.get(IP1, "/categories/MLA1051").status()).as("request %d", i).isEqualTo(200);
    }
    for (int i = 6; i <= 8; i++) {
      Response r = stack.get(IP1, "/categories/MLA1051");
      assertThat(r.status()).as("request %d", i).isEqualTo(429);
      assertThat(r.header("x-ratelimit-limit"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("5"));
      assertThat(r.header("x-ratelimit-remaining")).contains("0");
      assertThat(r.header("x-ratelimit-reset"))
          .hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(0L, 60L));
      assertThat(r.header("retry-after"))
          .hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(0L, 60L));
      assertThat(r.body()).contains("per-ip");
    }
    assertThat(stack.get(IP2, "/categories/MLA1051").status()).isEqualTo(200);
  }

  @Test
  void perPathCountsAcrossIpsAndCountsTheQueryWithThePath() {
    stack.awaitApplied(
        stack.create(
            """
            {"name":"per-path","match":{"pathPrefix":"/t/path/"},"by":["path"],
             "limit":{"requests":3,"per":"minute"}}"""));
    awaitFreshMinuteIfNearItsEnd();

    assertForwarded(stack.get(IP1, "/t/path/a"));
    assertForwarded(stack.get(IP2, "/t/path/a?x=1"));
    assertForwarded(stack.get(IP3, "/t/path/a?y=2"));
    assertLimited(stack.get(IP1, "/t/path/a?x=1"), "per-path");
    assertLimited(stack.get(IP2, "/t/path/a"), "per-path");
    assertForwarded(stack.get(IP1, "/t/path/b"));
  }

  @Test
  void ipAndPathCountsEachPairApart() {
    stack.awaitApplied(
        stack.create(
            """
            {"name":"ip-path","match":{"pathPrefix":"/t/ippath/"},"by":["ip","path"],
             "limit":{"requests":2,"per":"minute"}}"""));
    awaitFreshMinuteIfNearItsEnd();

    assertForwarded(stack.get(IP1, "/t/ippath/a"));
    assertForwarded(stack.get(IP1, "/t/ippath/a"));
    assertLimited(stack.get(IP1, "/t/ippath/a"), "ip-path");
    assertForwarded(stack.get(IP1, "/t/ippath/b"));
    assertForwarded(stack.get(IP2, "/t/ippath/a"));
  }

  @Test
  void headerRuleCountsPerApiKeyAndIgnoresRequestsWithoutOne() {
    stack.awaitApplied(
        stack.create(
            """
            {"name":"per-key","match":{"pathPrefix":"/t/key/","headers":{"x-api-key":"*"}},
             "by":["header:x-api-key"],"limit":{"requests":2,"per":"minute"}}"""));
    awaitFreshMinuteIfNearItsEnd();
    Map<String, String> keyA = Map.of("x-api-key", "a");

    assertForwarded(stack.send(IP1, "GET", "/t/key/x", keyA));
    assertForwarded(stack.send(IP2, "GET", "/t/key/y", keyA));
    assertLimited(stack.send(IP3, "GET", "/t/key/x", keyA), "per-key");
    assertForwarded(stack.send(IP1, "GET", "/t/key/x", Map.of("x-api-key", "b")));
    for (int i = 0; i < 3; i++) {
      assertForwarded(stack.get(IP1, "/t/key/x"));
    }
  }

  @Test
  void headerRuleCountsRequestsWithoutTheHeaderUnderOneAbsentCounter() {
    stack.awaitApplied(
        stack.create(
            """
            {"name":"per-key-or-none","match":{"pathPrefix":"/t/keyless/"},
             "by":["header:x-api-key"],"limit":{"requests":2,"per":"minute"}}"""));
    awaitFreshMinuteIfNearItsEnd();

    // no key, from any client: one shared counter, so sending no key is no way past the limit
    assertForwarded(stack.get(IP1, "/t/keyless/x"));
    assertForwarded(stack.get(IP2, "/t/keyless/y"));
    assertLimited(stack.get(IP3, "/t/keyless/x"), "per-key-or-none");
    // keyed requests count apart, per key
    Map<String, String> keyA = Map.of("x-api-key", "a");
    assertForwarded(stack.send(IP1, "GET", "/t/keyless/x", keyA));
    assertForwarded(stack.send(IP1, "GET", "/t/keyless/x", keyA));
    assertLimited(stack.send(IP1, "GET", "/t/keyless/x", keyA), "per-key-or-none");
    assertForwarded(stack.send(IP1, "GET", "/t/keyless/x", Map.of("x-api-key", "b")));
  }

  @Test
  void headerIfPresentRuleLeavesRequestsWithoutTheHeaderUncounted() {
    stack.awaitApplied(
        stack.create(
            """
            {"name":"per-key-if-present","match":{"pathPrefix":"/t/keyopt/"},
             "by":["header-if-present:x-api-key"],"limit":{"requests":1,"per":"minute"}}"""));
    awaitFreshMinuteIfNearItsEnd();

    for (int i = 0; i < 3; i++) {
      assertForwarded(stack.get(IP1, "/t/keyopt/x"));
    }
    assertForwarded(stack.send(IP1, "GET", "/t/keyopt/x", Map.of("x-api-key", "a")));
    assertLimited(
        stack.send(IP1, "GET", "/t/keyopt/x", Map.of("x-api-key", "a")), "per-key-if-present");
  }

  @Test
  void regexesEnvoyWouldRejectAreRefusedAndARuleCreatedAfterThemIsEnforced() {
    for (String regex :
        List.of(
            "/nothing{1000}",
            "/a{95}",
            "/(ab){30}",
            "/(?:ab){48}",
            "/[a-zA-Z0-9_.~-]{1,64}",
            "/x{1,1000}",
            "^/items/.{1,50}$")) {
      HttpResponse<String> r =
          stack.rest(
              "POST",
              "/api/v1/limits",
              """
              {"name":"too-big","match":{"pathRegex":"%s"},"limit":{"requests":0,"per":"minute"}}"""
                  .formatted(regex),
              null);
      assertThat(r.statusCode()).as("POST pathRegex %s -> %s", regex, r.body()).isEqualTo(400);
      assertThat(r.body()).contains("match.pathRegex").contains("Envoy");
    }
    stack.awaitApplied(
        stack.create(
            """
            {"name":"after-regexes","match":{"pathPrefix":"/t/after-regexes/"},
             "limit":{"requests":0,"per":"minute"}}"""));
    assertLimited(stack.get(IP1, "/t/after-regexes/x"), "after-regexes");
  }

  @Test
  void methodRuleLimitsOnlyThatMethod() {
    stack.awaitApplied(
        stack.create(
            """
            {"name":"posts","match":{"pathPrefix":"/t/method/","methods":["POST"]},
             "by":["method"],"limit":{"requests":1,"per":"minute"}}"""));
    awaitFreshMinuteIfNearItsEnd();

    assertForwarded(stack.send(IP1, "POST", "/t/method/a", Map.of()));
    assertLimited(stack.send(IP2, "POST", "/t/method/b", Map.of()), "posts");
    for (int i = 0; i < 3; i++) {
      assertForwarded(stack.get(IP1, "/t/method/a"));
    }
  }

  @Test
  void cidrRuleAppliesOnlyToClientsInIt() {
    stack.awaitApplied(
        stack.create(
            """
            {"name":"cidr","match":{"pathPrefix":"/t/cidr/","sourceCidrs":["127.0.0.2/32"]},
             "limit":{"requests":1,"per":"minute"}}"""));
    awaitFreshMinuteIfNearItsEnd();

    assertForwarded(stack.get(IP2, "/t/cidr/a"));
    assertLimited(stack.get(IP2, "/t/cidr/a"), "cidr");
    for (int i = 0; i < 3; i++) {
      assertForwarded(stack.get(IP1, "/t/cidr/a"));
      assertForwarded(stack.get(IP3, "/t/cidr/a"));
    }
  }

  @Test
  void aBurstAdmitsExactlyRequestsPlusBurstAtOnceThen429sThenTheRate() {
    stack.awaitApplied(
        stack.create(
            """
            {"name":"bursty","match":{"pathPrefix":"/t/burst/"},"by":["ip"],
             "limit":{"requests":1,"per":"second","burst":7}}"""));
    // A cold stack's first rate-limit calls (a new connection, the store's first script load) can
    // outlast Envoy's 250 ms deadline on a loaded machine, a 500 when failing closed: another
    // client warms the path, so the burst below measures counting, not start-up.
    timeUntil(() -> stack.get(IP3, "/t/burst/warm"), r -> r.status() != 500);

    // An idle client's bucket is full: 1 + 7 at once. A token comes back each second, so the
    // calls must go out within one (they take a few ms each).
    long start = System.nanoTime();
    for (int i = 1; i <= 8; i++) {
      Response r = stack.get(IP1, "/t/burst/a");
      assertForwarded(r);
      assertThat(r.header("x-ratelimit-remaining")).as("request %d", i).contains("" + (8 - i));
    }
    Response refused = stack.get(IP1, "/t/burst/a");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(refused.status())
        .as("request 9, %d ms after the first", took.toMillis())
        .isEqualTo(429);
    assertLimited(refused, "bursty");
    assertLimited(stack.get(IP1, "/t/burst/a"), "bursty");
    assertThat(refused.header("x-ratelimit-limit"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("1"));
    assertThat(refused.header("retry-after")).contains("1");
    // Then the rate: one more within about a second, and only one.
    Duration refill = timeUntil(() -> stack.get(IP1, "/t/burst/a"), r -> r.status() != 429);
    assertThat(refill).isLessThan(Duration.ofMillis(2_500));
    assertLimited(stack.get(IP1, "/t/burst/a"), "bursty");
    // Another client has a full bucket of its own.
    for (int i = 1; i <= 8; i++) {
      assertForwarded(stack.get(IP2, "/t/burst/a"));
    }
  }

  @Test
  void limitZeroBlocksEveryRequest() {
    stack.awaitApplied(
        stack.create(
            """
            {"name":"zero","match":{"path":"/t/zero"},"limit":{"requests":0,"per":"day"}}"""));

    assertLimited(stack.get(IP1, "/t/zero"), "zero");
    assertLimited(stack.get(IP2, "/t/zero?x=1"), "zero");
    assertForwarded(stack.get(IP1, "/t/zero/not-exact"));
  }

  @Test
  void shadowModeNeverBlocksButShowsInTheRateLimitServiceMetrics() {
    stack.awaitApplied(
        stack.create(
            """
            {"name":"shadowed","match":{"pathPrefix":"/t/shadow/"},
             "limit":{"requests":0,"per":"minute"},"mode":"shadow"}"""));

    for (int i = 0; i < 3; i++) {
      assertForwarded(stack.get(IP1, "/t/shadow/a"));
    }
    assertThat(shadowHits("shadowed")).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aChangeIsEnforcedWithinTwoSecondsAndStopsWithinTwoSecondsOfDisableOrDelete() {
    String rule =
        """
        {"name":"live","match":{"pathPrefix":"/t/live/"},"limit":{"requests":0,"per":"minute"}%s}""";

    stack.create(rule.formatted(""));
    assertThat(timeUntil(() -> stack.get(IP1, "/t/live/a"), r -> r.status() == 429))
        .isLessThan(PROPAGATION);

    stack.replace("live", rule.formatted(",\"enabled\":false"));
    assertThat(timeUntil(() -> stack.get(IP1, "/t/live/a"), r -> r.status() != 429))
        .isLessThan(PROPAGATION);
    assertForwarded(stack.get(IP1, "/t/live/a"));

    stack.replace("live", rule.formatted(",\"enabled\":true"));
    assertThat(timeUntil(() -> stack.get(IP1, "/t/live/a"), r -> r.status() == 429))
        .isLessThan(PROPAGATION);

    stack.delete("live");
    assertThat(timeUntil(() -> stack.get(IP1, "/t/live/a"), r -> r.status() != 429))
        .isLessThan(PROPAGATION);
    assertForwarded(stack.get(IP1, "/t/live/a"));
  }

  @Test
  void rulesInTheConfigFileAreEnforcedAndOwnedByTheFile() {
    stack.writeConfig(
        """
        limits:
          - { name: from-file, match: { pathPrefix: /t/file/ }, limit: { requests: 0, per: hour } }
        """);
    assertThat(timeUntil(() -> stack.get(IP1, "/t/file/a"), r -> r.status() == 429))
        .isLessThan(PROPAGATION.plusSeconds(1));
    assertThat(stack.rest("GET", "/api/v1/limits/from-file", null, null).body())
        .contains("\"source\":\"file\"");
    HttpResponse<String> edit =
        stack.rest(
            "PUT",
            "/api/v1/limits/from-file",
            """
            {"name":"from-file","limit":{"requests":9,"per":"hour"}}""",
            "*");
    assertThat(edit.statusCode()).as(edit.body()).isEqualTo(409);

    stack.writeConfig("");
    assertThat(timeUntil(() -> stack.get(IP1, "/t/file/a"), r -> r.status() != 429))
        .isLessThan(PROPAGATION.plusSeconds(1));
    assertThat(stack.rest("GET", "/api/v1/limits/from-file", null, null).statusCode())
        .isEqualTo(404);
  }

  @Test
  void rulesSurviveAControlPlaneRestart() {
    long version =
        stack.create(
            """
            {"name":"durable","match":{"pathPrefix":"/t/durable/"},
             "limit":{"requests":0,"per":"hour"}}""");
    stack.awaitApplied(version);

    stack.gateway().controlPlane().restart();

    assertThat(stack.rest("GET", "/api/v1/limits/durable", null, null).statusCode()).isEqualTo(200);
    // Both reconnected to the new process and acknowledged what it serves, read from the database:
    // had the rule been lost, that snapshot would have removed it.
    stack.awaitApplied(version);
    assertLimited(stack.get(IP1, "/t/durable/a"), "durable");
  }

  @Test
  void whenTheRateLimitServiceStopsEnvoyFailsPerItsFailureMode() {
    stack.awaitApplied(
        stack.create(
            """
            {"name":"failmode","match":{"pathPrefix":"/t/failmode/"},
             "limit":{"requests":0,"per":"hour"}}"""));
    assertLimited(stack.get(IP1, "/t/failmode/a"), "failmode");
    boolean failClosed = stack.variant().failClosed();
    String stat = failClosed ? "ratelimit.error" : "ratelimit.failure_mode_allowed";
    long before = stack.envoyCounterSum(stat);

    stack.rateLimit().stop();
    try {
      for (int i = 0; i < 3; i++) {
        Response r = stack.get(IP1, "/t/failmode/a");
        if (failClosed) {
          assertThat(r.status()).isEqualTo(500);
        } else {
          assertForwarded(r);
        }
      }
      assertThat(stack.envoyCounterSum(stat)).isGreaterThanOrEqualTo(before + 3);
      assertThat(stack.envoyCounterSum("cluster.tollgate_ratelimit.upstream_cx_connect_fail"))
          .isPositive();
    } finally {
      stack.rateLimit().start();
    }
    assertThat(timeUntil(() -> stack.get(IP1, "/t/failmode/a"), r -> r.status() == 429))
        .isLessThan(Duration.ofSeconds(10));
  }

  /** Forwarded to the mock: its 200 or its JSON 404/405, never a 429 or an Envoy 5xx. */
  static void assertForwarded(Response r) {
    assertThat(r.status()).as("forwarded, body %s", r.body()).isIn(200, 404, 405);
  }

  static void assertLimited(Response r, String rule) {
    assertThat(r.status()).as("limited, body %s", r.body()).isEqualTo(429);
    assertThat(r.body()).contains(rule);
  }

  /**
   * Fixed windows start on the minute: counting across a boundary would reset mid-test. Waiting out
   * the window is the point: the rate-limit service runs as a process on the real clock, which a
   * test cannot move.
   */
  static void awaitFreshMinuteIfNearItsEnd() {
    int second = Instant.now().atZone(java.time.ZoneOffset.UTC).getSecond();
    if (second >= 54) {
      sleep(Duration.ofSeconds(61 - second));
    }
  }

  long shadowHits(String rule) {
    long sum = 0;
    for (String line : stack.rateLimit().metrics().split("\n")) {
      if (line.startsWith("ratelimit_service_rate_limit_shadow_mode{") && line.contains(rule)) {
        sum += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1).trim());
      }
    }
    return sum;
  }

  /** Repeats {@code request} until {@code done}; how long that took (fails after 10 s). */
  static Duration timeUntil(Supplier<Response> request, Predicate<Response> done) {
    long start = System.nanoTime();
    AtomicReference<Response> last = new AtomicReference<>();
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .pollInSameThread()
          .until(
              () -> {
                last.set(request.get());
                return done.test(last.get());
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "still " + last.get().status() + " after 10 s: " + last.get().body(), e);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
