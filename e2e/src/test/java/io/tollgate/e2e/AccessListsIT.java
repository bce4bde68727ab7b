package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.testsupport.SourceAddressHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The allow and deny lists on the real Envoy: a denied client range or path gets the 403 JSON
 * naming the entry, without a rate-limit call (Envoy's rate-limit filter stats do not move although
 * a limit rule covers every request) and without reaching the upstream; a REST entry is enforced
 * within 2 s; the denial is in the blocked-call ring.
 */
@ExtendWith(SharedStack.class)
class AccessListsIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A limit rule on every request: each request that reaches the rate-limit filter calls. */
  private static final String EVERY_REQUEST =
      "{\"name\":\"access-e2e-every\",\"limit\":{\"requests\":1000000,\"per\":\"second\"}}";

  /** The file's entry: 127.0.0.7 may not call. */
  private static final String FILE_ENTRIES =
      """
      access:
        - name: file-deny-client
          action: deny
          match: { cidrs: [127.0.0.7/32] }
      """;

  static TollgateStack stack;

  @BeforeAll
  static void useConfigWithAFileEntryAndALimitOnEveryRequest(TollgateStack shared) {
    stack = shared;
    stack.use(stack.httpMockConfig() + FILE_ENTRIES);
    assertThat(stack.rest("POST", "/api/v1/limits", EVERY_REQUEST, null).statusCode())
        .isEqualTo(201);
    stack.awaitEnvoyInSync(Duration.ofSeconds(15));
  }

  @AfterAll
  static void removeWhatThisClassAdded() {
    stack.rest("DELETE", "/api/v1/limits/access-e2e-every", null, "*");
    stack.rest("DELETE", "/api/v1/access-rules/rest-deny-path", null, "*");
    stack.use(stack.httpMockConfig());
  }

  @Test
  void aDeniedRangeGets403NamingTheEntryWithoutARateLimitCallOrAnUpstreamRequest() {
    // Another client passes, through the rate-limit filter: the stats this test reads do move.
    long callsBefore = rateLimitCalls();
    assertThat(from("127.0.0.1").get("127.0.0.1", stack.proxyPort(), "/echo").status())
        .isEqualTo(200);
    stack
        .envoy()
        .process()
        .await(
            "the rate-limit filter to count an allowed call",
            Duration.ofSeconds(10),
            // A request per poll: a rule write returns before its coalesced push, so the first
            // request may still pass a route without the rule.
            () ->
                from("127.0.0.1").get("127.0.0.1", stack.proxyPort(), "/echo").status() == 200
                    && rateLimitCalls() > callsBefore);

    long calls = rateLimitCalls();
    long upstream = stack.envoy().statOrZero("cluster.mock.upstream_rq_total");
    SourceAddressHttp.Response denied =
        from("127.0.0.7").get("127.0.0.1", stack.proxyPort(), "/echo?denied=1");

    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.header("content-type")).hasValue("application/json");
    assertThat(denied.header("x-tollgate-access")).hasValue("denied");
    JsonNode body = JSON.readTree(denied.body());
    assertThat(body.path("error").asString()).isEqualTo("access_denied");
    assertThat(body.path("entry").asString()).isEqualTo("file-deny-client");
    assertThat(stack.envoy().statOrZero("cluster.mock.upstream_rq_total")).isEqualTo(upstream);
    assertThat(rateLimitCalls()).isEqualTo(calls);
    assertThat(stack.envoy().statOrZero("http.tollgate.rbac.access_deny.denied")).isPositive();

    stack
        .controlPlane()
        .process()
        .await(
            "the denial in the blocked-call ring",
            Duration.ofSeconds(10),
            () ->
                stack
                    .rest("GET", "/api/v1/stats/blocked", null, null)
                    .body()
                    .contains("\"rule\":\"file-deny-client\""));
    String ring = stack.rest("GET", "/api/v1/stats/blocked", null, null).body();
    assertThat(ring).contains("\"blockedBy\":\"access\"").contains("127.0.0.7");
  }

  @Test
  void aRestEntryIsEnforcedWithinTwoSeconds() {
    // The mock answers 404 for this path: what matters is that Envoy forwards it.
    assertThat(status("/access-e2e/blocked")).isNotEqualTo(403);
    long start = System.nanoTime();
    HttpResponse<String> created =
        stack.rest(
            "POST",
            "/api/v1/access-rules",
            "{\"name\":\"rest-deny-path\",\"action\":\"deny\","
                + "\"match\":{\"paths\":[{\"prefix\":\"/access-e2e/blocked\"}],\"methods\":[\"GET\"]}}",
            null);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    // New connections (one per request): a connection open before the change keeps the
    // listener's previous filter chain until Envoy drains it (README, "Allow and deny lists").
    stack
        .envoy()
        .process()
        .await(
            "a new connection to be refused by the REST entry",
            Duration.ofSeconds(10),
            () -> status("/access-e2e/blocked") == 403);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    SourceAddressHttp.Response denied =
        from("127.0.0.1").get("127.0.0.1", stack.proxyPort(), "/access-e2e/blocked");
    assertThat(JSON.readTree(denied.body()).path("entry").asString()).isEqualTo("rest-deny-path");
    assertThat(took).as("POST to enforced (README: within 2 s)").isLessThan(Duration.ofSeconds(2));
    assertThat(status("/access-e2e/other")).isNotEqualTo(403);
  }

  /**
   * Every ShouldRateLimit call the rate-limit filter made, by its outcome (ok, over limit, error:
   * the shared stack runs no rate-limit service, so calls fail open): a request that never reaches
   * the filter moves none of them.
   */
  private static long rateLimitCalls() {
    String stats = stack.envoy().admin("/stats?filter=" + "%5Ecluster%5C.mock%5C.ratelimit%5C.");
    long sum = 0;
    Matcher m =
        Pattern.compile(
                "^cluster\\.mock\\.ratelimit\\.(ok|over_limit|error): (\\d+)$", Pattern.MULTILINE)
            .matcher(stats);
    while (m.find()) {
      sum += Long.parseLong(m.group(2));
    }
    return sum;
  }

  private static int status(String path) {
    return from("127.0.0.1").get("127.0.0.1", stack.proxyPort(), path).status();
  }

  private static SourceAddressHttp from(String ip) {
    return SourceAddressHttp.from(ip);
  }
}
