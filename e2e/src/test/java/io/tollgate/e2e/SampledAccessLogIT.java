package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tollgate.testsupport.SourceAddressHttp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code TOLLGATE_ACCESSLOG_SAMPLE_ONE_IN=10} end to end (README, "Environment";
 * docs/statistics.md, "Sampling"): on its own stack (real Envoy, control plane, rate-limit service,
 * nginx mock), Envoy logs every answer of 400 or more and about one in ten of the others, and the
 * statistics count each sampled entry ten times: the 404s and the 429s exactly, the 200s as an
 * estimate.
 */
class SampledAccessLogIT {

  private static final int ONE_IN = 10;
  private static final int OK_REQUESTS = 3000;
  private static final String CLIENT = "127.0.11.1";
  private static final String RULE = "sampled-it";
  private static final String LIMITED = "/sampled-it/";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TollgateStack stack;

  /** Every status this class received through Envoy, counted. */
  private static final Map<String, Long> sent = new TreeMap<>();

  @BeforeAll
  static void start() {
    stack =
        TollgateStack.start(
            controlPlane ->
                controlPlane
                    .env("TOLLGATE_STATS_BUCKET", "2s")
                    .env("TOLLGATE_ACCESSLOG_SAMPLE_ONE_IN", Integer.toString(ONE_IN)));
    stack.rateLimitService();
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void everyErrorAndBlockedCallIsCountedAndTheRestIsScaledFromOneInTen() {
    HttpResponse<String> created =
        stack.rest(
            "POST",
            "/api/v1/limits",
            """
            {"name":"%s","match":{"pathPrefix":"%s"},"by":["ip"],
             "limit":{"requests":2,"per":"minute"}}
            """
                .formatted(RULE, LIMITED),
            null);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    long loggedBefore = stack.envoy().statOrZero("access_logs.grpc_access_log.logs_written");
    // Until the rule is in force, the limited path answers 404 (the mock has no such file).
    await("the limit to block")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> get(LIMITED + "MLA") == 429);
    for (int i = 0; i < OK_REQUESTS; i++) {
      assertThat(get("/categories/MLA97994")).isEqualTo(200);
    }
    for (int i = 0; i < 20; i++) {
      assertThat(get("/items/MLA0")).isEqualTo(404);
      assertThat(get(LIMITED + "MLA")).isEqualTo(429);
    }
    long notFound = sent.get("404");
    long blockedCalls = sent.get("429");

    // Every error and blocked call was logged: exact counts, which arrive after the sampled 200s
    // sent before them (one stream, in order).
    JsonNode summary =
        await("the 404s and 429s to be counted")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(300))
            .until(
                SampledAccessLogIT::summary,
                s ->
                    s.path("statusCounts").path("404").asLong() == notFound
                        && s.path("statusCounts").path("429").asLong() == blockedCalls);
    long logged =
        stack.envoy().statOrZero("access_logs.grpc_access_log.logs_written") - loggedBefore;
    long ok = summary.path("statusCounts").path("200").asLong();
    System.out.printf(
        "SampledAccessLogIT: sent %s, Envoy logged %d entries, statistics count %d 200s%n",
        sent, logged, ok);

    // Envoy logged every 404 and 429 and about a tenth of the 3000 200s: binomial(3000, 0.1) is
    // 300 ± 16.4, so 5 standard deviations either side bound it.
    long exact = notFound + blockedCalls;
    assertThat(logged).as("entries Envoy logged").isBetween(exact + 218, exact + 382);
    // Each sampled 200 counts ten times: 3000 ± 820 at the same 5 standard deviations, plus the
    // stack's readiness probes (a few 200s of /healthz before this test, sampled alike).
    assertThat(ok).as("the 200s, estimated").isBetween(3000L - 820, 3000L + 820 + 10L * ONE_IN);
    assertThat(ok % ONE_IN).as("each sampled 200 weighs ten").isZero();
    JsonNode blocked =
        JSON.readTree(stack.rest("/api/v1/stats/blocked?rule=" + RULE + "&limit=100").body());
    assertThat((long) blocked.size())
        .as("the blocked-call ring has every 429")
        .isEqualTo(blockedCalls);
  }

  private static JsonNode summary() {
    return JSON.readTree(stack.rest("/api/v1/stats/summary").body());
  }

  private static int get(String path) {
    int status = SourceAddressHttp.from(CLIENT).get("127.0.0.1", stack.proxyPort(), path).status();
    sent.merge(Integer.toString(status), 1L, Long::sum);
    return status;
  }
}
