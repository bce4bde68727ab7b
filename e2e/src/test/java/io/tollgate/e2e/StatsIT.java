package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tollgate.testsupport.SourceAddressHttp;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Statistics end to end on the shared stack (real Envoy, control plane, nginx mock, and the stack's
 * rate-limit service). Every request this class sends through Envoy comes from its own client IP
 * and is tallied on the client side; the statistics API must move by exactly that tally (by status,
 * path, IP and blocking rule) from what it showed before, whatever earlier classes sent. Summing
 * across control-plane replicas on one PostgreSQL is {@link MultiInstanceIT}'s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SharedStack.class)
class StatsIT {

  /** docs/statistics.md: Envoy's 1 s flush plus the 1 s sealing tick; generous for a busy CI. */
  private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(15);

  private static final Duration SETTLE = Duration.ofSeconds(60);
  private static final String RULE = "stats-it-per-ip";
  private static final String LIMITED = "/stats-it/";
  private static final String CLIENT = "127.0.9.1";
  private static final String OUTAGE_PATH = "/categories/MLA97994";
  private static final String RECOVERY_PATH = "/sites/MLA";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Fixed for the class, so that counts taken at different moments cover the same range. */
  private static final String SINCE =
      URLEncoder.encode(Instant.now().minusSeconds(60).toString(), StandardCharsets.UTF_8);

  private static TollgateStack stack;
  private static final Tally sent = new Tally();
  private static Counts baseline;

  @BeforeAll
  static void share(TollgateStack shared) {
    stack = shared;
    stack.use(stack.httpMockConfig());
    stack.rateLimitService();
    baseline = settledCounts();
  }

  @AfterAll
  static void deleteRule() {
    if (stack != null) {
      stack.rest("DELETE", "/api/v1/limits/" + RULE, null, "*");
    }
  }

  @Test
  @Order(1)
  void trafficIncluding429sShowsUpWithExactCountsWithin15Seconds() {
    HttpResponse<String> created =
        stack.rest(
            "POST",
            "/api/v1/limits",
            """
            {"name":"%s","match":{"pathPrefix":"%s"},"by":["ip"],
             "limit":{"requests":3,"per":"minute"},"mode":"enforce","enabled":true}
            """
                .formatted(RULE, LIMITED),
            null);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

    // Until the rule reaches Envoy and the rate-limit service, the path is not limited yet; every
    // one of these requests is counted all the same.
    await("the limit to block")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> get(LIMITED + "MLA") == 429);
    for (int i = 0; i < 5; i++) {
      get("/categories/MLA97994");
      get(LIMITED + "MLA?attributes=id");
      get("/items/MLA1100000000");
      get("/items/MLA0");
    }
    assertThat(sent.statuses).containsKeys("200", "404", "429");
    Instant lastRequest = Instant.now();

    awaitCounts(baseline.plus(sent), VISIBLE_WITHIN);
    assertThat(Duration.between(lastRequest, Instant.now())).isLessThan(VISIBLE_WITHIN);

    JsonNode blocked = json(stack.rest("/api/v1/stats/blocked?rule=" + RULE + "&limit=1").body());
    assertThat(blocked.get(0).path("clientIp").asString()).isEqualTo(CLIENT);
    assertThat(blocked.get(0).path("path").asString()).startsWith(LIMITED + "MLA");
    assertThat(blocked.get(0).path("rule").asString()).isEqualTo(RULE);
    assertThat(blocked.get(0).path("limit").asString()).isEqualTo("3/minute");
  }

  /**
   * docs/statistics.md, "What is lost, and how it is counted": with the control plane stopped,
   * Envoy serves every request and counts each entry as {@code logs_written} (or {@code
   * logs_dropped}); what it flushed into the dead stream is lost. The loss is Envoy's counters
   * minus the control plane's {@code tollgate_stats_entries_total}, and the statistics after the
   * restart are exactly what was there before (a graceful stop writes its minute) plus what was
   * sent since, minus that counted loss.
   */
  @Test
  @Order(2)
  void withTheControlPlaneStoppedEnvoyServesEveryRequestAndTheLossIsAccountedFor() {
    awaitCounts(baseline.plus(sent), VISIBLE_WITHIN);
    long logged = envoyAccessLogEntries();
    long connectFailures =
        stack.envoy().statOrZero("cluster.tollgate_xds.upstream_cx_connect_fail");
    long sentBefore = sent.total;

    stack.controlPlane().stop();
    long during = 0;
    // Longer than Envoy's 1 s buffer flush, so entries are flushed while nothing listens.
    long end = System.nanoTime() + Duration.ofMillis(2500).toNanos();
    while (System.nanoTime() < end) {
      assertThat(get(OUTAGE_PATH)).as("a request while the control plane is down").isEqualTo(200);
      during++;
    }
    stack.controlPlane().start();
    for (int i = 0; i < 5; i++) {
      assertThat(get(RECOVERY_PATH)).isEqualTo(200);
    }
    long phase = sent.total - sentBefore;

    // Ingestion resumed (the requests sent after the restart are in), and the control plane's
    // counter of received entries has caught up with its statistics (sealed buckets).
    Counts expected = baseline.plus(sent);
    long[] received = new long[1];
    await("ingestion to resume and the entries counter to catch up")
        .atMost(SETTLE)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              Counts now = counts();
              received[0] = controlPlaneEntries();
              return now.path(RECOVERY_PATH) == expected.path(RECOVERY_PATH)
                  && received[0] == now.total() - (expected.total() - phase);
            });
    long envoyLogged = envoyAccessLogEntries() - logged;
    long lost = envoyLogged - received[0];
    System.out.printf(
        "StatsIT control plane down: sent %d (%d while down), Envoy logged %d, control plane"
            + " received %d, lost %d%n",
        phase, during, envoyLogged, received[0], lost);

    assertThat(envoyLogged).as("Envoy's logs_written + logs_dropped").isEqualTo(phase);
    assertThat(lost).as("lost, of the %d sent while down", during).isBetween(0L, during);
    assertThat(stack.envoy().statOrZero("cluster.tollgate_xds.upstream_cx_connect_fail"))
        .as("the outage shows in Envoy's xDS cluster")
        .isGreaterThan(connectFailures);
    // Everything the client sent, minus the counted loss (all of it OUTAGE_PATH's 200s).
    sent.lose(OUTAGE_PATH, "200", lost);
    assertThat(counts()).isEqualTo(baseline.plus(sent));
    stack.awaitEnvoyInSync(Duration.ofSeconds(30));
  }

  /** GET through the shared Envoy from this class's client IP, tallied; returns the status. */
  private static int get(String pathAndQuery) {
    int status =
        SourceAddressHttp.from(CLIENT).get("127.0.0.1", stack.proxyPort(), pathAndQuery).status();
    sent.add(pathAndQuery.split("\\?")[0], Integer.toString(status));
    return status;
  }

  private static void awaitCounts(Counts expected, Duration timeout) {
    await("the statistics to show what was sent")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(counts()).isEqualTo(expected));
  }

  /**
   * The counts once nothing sent before this class is still on its way: unchanged for 3 s, longer
   * than Envoy's 1 s flush plus the control plane's 1 s sealing tick.
   */
  private static Counts settledCounts() {
    AtomicReference<Counts> last = new AtomicReference<>();
    await("the statistics of earlier traffic to settle")
        .atMost(SETTLE)
        .pollInterval(Duration.ofMillis(500))
        .during(Duration.ofSeconds(3))
        .until(
            () -> {
              Counts now = counts();
              return now.equals(last.getAndSet(now));
            });
    return last.get();
  }

  private static Counts counts() {
    JsonNode summary = json(stack.rest("/api/v1/stats/summary?from=" + SINCE).body());
    Map<String, Long> statuses = new TreeMap<>();
    summary
        .path("statusCounts")
        .properties()
        .forEach(e -> statuses.put(e.getKey(), e.getValue().asLong()));
    return new Counts(
        summary.path("totalRequests").asLong(),
        summary.path("rateLimitedRequests").asLong(),
        statuses,
        top("path"),
        top("ip"),
        top("rule"));
  }

  private static Map<String, List<Long>> top(String by) {
    Map<String, List<Long>> out = new TreeMap<>();
    for (JsonNode key :
        json(stack.rest("/api/v1/stats/top?by=" + by + "&limit=100&from=" + SINCE).body())) {
      out.put(
          key.path("key").asString(),
          List.of(key.path("requests").asLong(), key.path("rateLimited").asLong()));
    }
    return out;
  }

  /** Entries Envoy's gRPC access logger took (sent or to send) or dropped. */
  private static long envoyAccessLogEntries() {
    return stack.envoy().statOrZero("access_logs.grpc_access_log.logs_written")
        + stack.envoy().statOrZero("access_logs.grpc_access_log.logs_dropped");
  }

  /** {@code tollgate_stats_entries_total}: entries this control-plane process received. */
  private static long controlPlaneEntries() {
    return stack
        .rest("/actuator/prometheus")
        .body()
        .lines()
        .filter(l -> l.startsWith("tollgate_stats_entries_total"))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  private static JsonNode json(String body) {
    return JSON.readTree(body);
  }

  /**
   * What the statistics show: totals, and per key {@code [requests, rateLimited]} of the path, IP
   * and rule dimensions.
   */
  record Counts(
      long total,
      long rateLimited,
      Map<String, Long> statuses,
      Map<String, List<Long>> paths,
      Map<String, List<Long>> ips,
      Map<String, List<Long>> rules) {

    /** These counts plus what the client sent. */
    Counts plus(Tally t) {
      Map<String, Long> s = new TreeMap<>(statuses);
      t.statuses.forEach((k, n) -> s.merge(k, n, Long::sum));
      long limited = t.statuses.getOrDefault("429", 0L);
      Map<String, List<Long>> p = new TreeMap<>(paths);
      t.paths.forEach((k, c) -> p.merge(k, List.of(c[0], c[1]), Counts::add));
      Map<String, List<Long>> i = new TreeMap<>(ips);
      if (t.total > 0) {
        i.merge(CLIENT, List.of(t.total, limited), Counts::add);
      }
      Map<String, List<Long>> r = new TreeMap<>(rules);
      if (limited > 0) {
        r.merge(RULE, List.of(limited, limited), Counts::add);
      }
      return new Counts(total + t.total, rateLimited + limited, s, p, i, r);
    }

    long path(String path) {
      return paths.getOrDefault(path, List.of(0L, 0L)).get(0);
    }

    private static List<Long> add(List<Long> a, List<Long> b) {
      return List.of(a.get(0) + b.get(0), a.get(1) + b.get(1));
    }
  }

  /** What the client sent: status -> count, path -> [requests, 429s]. */
  static final class Tally {
    private final Map<String, Long> statuses = new TreeMap<>();
    private final Map<String, long[]> paths = new TreeMap<>();
    private long total;

    void add(String path, String status) {
      total++;
      statuses.merge(status, 1L, Long::sum);
      long[] c = paths.computeIfAbsent(path, p -> new long[2]);
      c[0]++;
      if (status.equals("429")) {
        c[1]++;
      }
    }

    /** {@code n} requests of {@code path} with {@code status} whose entries were lost. */
    void lose(String path, String status, long n) {
      total -= n;
      statuses.merge(status, -n, Long::sum);
      paths.get(path)[0] -= n;
    }
  }
}
