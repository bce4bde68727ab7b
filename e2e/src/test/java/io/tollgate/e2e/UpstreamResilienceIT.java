package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.testsupport.ControllableUpstream;
import io.tollgate.testsupport.ControllableUpstream.Behaviour;
import io.tollgate.testsupport.Teardown;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Upstream resilience on the real Envoy: several endpoints per upstream ({@link
 * ControllableUpstream}s, each told how to answer and counting what reaches it), outlier detection,
 * active health checks, retries with a budget, and a route timeout against the nginx mock's {@code
 * /slow}.
 */
@ExtendWith(SharedStack.class)
class UpstreamResilienceIT {

  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final Duration FAILING_DELAY = Duration.ofMillis(200);
  private static final int BURST = 20;

  private static final Teardown upstreams = new Teardown();
  private static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  static TollgateStack stack;
  static ControllableUpstream poolA;
  static ControllableUpstream poolB;
  static ControllableUpstream poolBad;
  static ControllableUpstream checkedA;
  static ControllableUpstream checkedB;
  static ControllableUpstream checkedBad;
  static ControllableUpstream flaky;

  @BeforeAll
  static void useSeveralEndpoints(TollgateStack shared) {
    stack = shared;
    poolA = upstreams.add(ControllableUpstream.start("pool-a", Behaviour.ok()));
    poolB = upstreams.add(ControllableUpstream.start("pool-b", Behaviour.ok()));
    poolBad = upstreams.add(ControllableUpstream.start("pool-bad", Behaviour.failing(503)));
    checkedA = upstreams.add(ControllableUpstream.start("checked-a", Behaviour.ok()));
    checkedB = upstreams.add(ControllableUpstream.start("checked-b", Behaviour.ok()));
    checkedBad = upstreams.add(ControllableUpstream.start("checked-bad", Behaviour.ok()));
    flaky = upstreams.add(ControllableUpstream.start("flaky", new Behaviour(503, FAILING_DELAY)));
    stack.use(
        """
        upstreams:
          - name: pool
            endpoints: [ "%s", "%s", "%s" ]
            outlierDetection: { consecutive5xx: 3, interval: 1s, baseEjectionTime: 5m, maxEjectionPercent: 50 }
          - name: checked
            endpoints: [ "%s", "%s", "%s" ]
            healthCheck: { path: /healthz, interval: 300ms, timeout: 250ms, unhealthyThreshold: 2, healthyThreshold: 1 }
          - name: flaky
            url: %s
            circuitBreaker: { maxRetries: 1000 }
          - name: mock
            url: %s
        routes:
          - { name: pool, match: { pathPrefix: /pool/ }, upstream: pool }
          - { name: checked, match: { pathPrefix: /checked/ }, upstream: checked }
          - name: retried
            match: { pathPrefix: /retried/ }
            upstream: flaky
            retries: { attempts: 3, on: [ 5xx ], budget: { percent: 10, minConcurrent: 1 } }
          - { name: slow, match: { path: /slow }, upstream: mock, timeout: 500ms }
          - { name: default, match: { pathPrefix: / }, upstream: mock }
        """
            .formatted(
                poolA.url(),
                poolB.url(),
                poolBad.url(),
                checkedA.url(),
                checkedB.url(),
                checkedBad.url(),
                flaky.url(),
                stack.mock().httpUrl()));
  }

  @AfterAll
  static void stopUpstreams() {
    upstreams.close();
  }

  @Test
  void aFailingEndpointIsEjectedAndTrafficShiftsToTheHealthyOnes() {
    // Round robin: the failing endpoint gets every third request; its third 503 in a row ejects it.
    stack
        .envoy()
        .process()
        .await(
            "the endpoint answering 503 to be ejected",
            DEADLINE,
            () -> {
              stack.get("/pool/items");
              return stat("cluster.pool.outlier_detection.ejections_enforced_consecutive_5xx") >= 1;
            });
    assertThat(stack.envoy().admin("/clusters"))
        .contains("pool::" + poolBad.address() + "::health_flags::/failed_outlier_check")
        .contains("pool::" + poolA.address() + "::health_flags::healthy");
    long failingBefore = poolBad.requests("/pool/");
    long healthyBefore = poolA.requests("/pool/") + poolB.requests("/pool/");

    List<Integer> statuses =
        IntStream.range(0, 30).mapToObj(i -> stack.get("/pool/items").statusCode()).toList();

    assertThat(statuses).containsOnly(200);
    assertThat(poolBad.requests("/pool/")).isEqualTo(failingBefore);
    assertThat(poolA.requests("/pool/") + poolB.requests("/pool/")).isEqualTo(healthyBefore + 30);
    assertThat(poolA.requests("/pool/")).isPositive();
    assertThat(poolB.requests("/pool/")).isPositive();
  }

  @Test
  void retriesStayWithinTheirBudget() {
    // Alone, a request gets every retry it asks for: the budget never goes below minConcurrent.
    long limitExceededBefore = stat("cluster.flaky.upstream_rq_retry_limit_exceeded");
    assertThat(stack.get("/retried/alone").statusCode()).isEqualTo(503);
    assertThat(flaky.requests("/retried/alone")).isEqualTo(1 + 3);
    stack
        .envoy()
        .process()
        .await(
            "the lone request to exhaust its attempts",
            DEADLINE,
            () -> stat("cluster.flaky.upstream_rq_retry_limit_exceeded") > limitExceededBefore);

    // Twenty at once: 10 % of twenty in flight is 2 retries in flight, the rest overflow. Only the
    // budget can refuse them: the circuit breaker's maxRetries (1000) would admit all 60.
    long retriesBefore = stat("cluster.flaky.upstream_rq_retry");
    long overflowBefore = stat("cluster.flaky.upstream_rq_retry_overflow");
    List<CompletableFuture<HttpResponse<String>>> burst =
        IntStream.range(0, BURST)
            .mapToObj(
                i ->
                    http.sendAsync(
                        HttpRequest.newBuilder(URI.create(stack.proxyUrl() + "/retried/burst/" + i))
                            .timeout(DEADLINE)
                            .build(),
                        HttpResponse.BodyHandlers.ofString()))
            .toList();
    List<Integer> statuses = burst.stream().map(f -> f.join().statusCode()).toList();

    assertThat(statuses).hasSize(BURST).containsOnly(503);
    long overflow = stat("cluster.flaky.upstream_rq_retry_overflow") - overflowBefore;
    long retries = stat("cluster.flaky.upstream_rq_retry") - retriesBefore;
    long attempts = flaky.requests("/retried/burst/");
    assertThat(overflow).as("retries refused by the budget").isPositive();
    assertThat(attempts).as("tries that reached the endpoint").isEqualTo(BURST + retries);
    assertThat(attempts).isLessThan(BURST * (1 + 3));
  }

  @Test
  void aSlowUpstreamHitsTheRouteTimeoutWith504() {
    long timeoutsBefore = stat("cluster.mock.upstream_rq_timeout");
    long start = System.nanoTime();

    HttpResponse<String> slow = stack.get("/slow?seconds=3");

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(slow.statusCode()).isEqualTo(504);
    assertThat(slow.body()).isEqualTo("upstream request timeout");
    assertThat(took).isLessThan(Duration.ofSeconds(3));
    assertThat(stat("cluster.mock.upstream_rq_timeout")).isEqualTo(timeoutsBefore + 1);
  }

  @Test
  void anActiveHealthCheckTakesAFailingEndpointOutOfTheBalancing() {
    stack
        .envoy()
        .process()
        .await(
            "every checked endpoint to pass its health check",
            DEADLINE,
            () -> {
              String clusters = stack.envoy().admin("/clusters");
              return List.of(checkedA, checkedB, checkedBad).stream()
                  .allMatch(
                      u ->
                          clusters.contains("checked::" + u.address() + "::health_flags::healthy"));
            });
    long failuresBefore = stat("cluster.checked.health_check.failure");

    checkedBad.behave(Behaviour.failing(503));

    stack
        .envoy()
        .process()
        .await(
            "the endpoint failing its health check to be marked unhealthy",
            DEADLINE,
            () ->
                stack
                    .envoy()
                    .admin("/clusters")
                    .contains(
                        "checked::" + checkedBad.address() + "::health_flags::/failed_active_hc"));
    // An HTTP answer other than 200 marks it unhealthy at once; the threshold counts timeouts and
    // connection failures.
    assertThat(stat("cluster.checked.health_check.failure")).isGreaterThan(failuresBefore);
    assertThat(checkedBad.requests("/healthz")).isPositive();
    long failingBefore = checkedBad.requests("/checked/");

    List<Integer> statuses =
        IntStream.range(0, 20).mapToObj(i -> stack.get("/checked/items").statusCode()).toList();

    assertThat(statuses).containsOnly(200);
    assertThat(checkedBad.requests("/checked/")).isEqualTo(failingBefore);
  }

  private static long stat(String name) {
    return stack.envoy().statOrZero(name);
  }
}
