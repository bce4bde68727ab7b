package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tollgate.testsupport.ControlPlaneProcess;
import io.tollgate.testsupport.EnvoyProcess;
import io.tollgate.testsupport.FreePorts;
import io.tollgate.testsupport.MockUpstream;
import io.tollgate.testsupport.PostgresServer;
import io.tollgate.testsupport.RateLimitServiceProcess;
import io.tollgate.testsupport.Scratch;
import io.tollgate.testsupport.Teardown;
import io.tollgate.testsupport.TestCa;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Statistics end to end: real Envoy, control plane, rate-limit service, nginx mock and PostgreSQL.
 * Every request the test sends through Envoy is tallied on the client side, and the statistics API
 * must give exactly the same counts by status, path, IP and blocking rule.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatsIT {

  private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(15);
  private static final Duration OTHER_REPLICA_VISIBLE_WITHIN = Duration.ofSeconds(90);
  private static final String RULE = "sites-per-ip";

  private static final Teardown started = new Teardown();
  private static final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private static final Instant since = Instant.now().minusSeconds(60);
  private static Path dir;
  private static PostgresServer postgres;
  private static MockUpstream mock;
  private static RateLimitServiceProcess ratelimit;
  private static ControlPlaneProcess controlPlane;
  private static EnvoyProcess envoy;
  private static int proxyPort;

  /** What the client saw: status -> count, path -> [requests, 429s]. */
  private static final Map<String, Long> statuses = new TreeMap<>();

  private static final Map<String, long[]> paths = new TreeMap<>();
  private static long sent;

  @BeforeAll
  static void start() throws Exception {
    dir = Scratch.create("stats-it");
    try {
      postgres = started(PostgresServer.start("tollgate"));
      TestCa ca = TestCa.create(dir, "test");
      mock = started(MockUpstream.start(ca.issueServerCertificate("mock")));
      proxyPort = FreePorts.next();
      int xdsPort = FreePorts.next();
      ratelimit =
          started(
              RateLimitServiceProcess.withEnv(
                  "ratelimit",
                  Map.of(
                      "BACKEND_TYPE", "memory",
                      "CONFIG_TYPE", "GRPC_XDS_SOTW",
                      "CONFIG_GRPC_XDS_SERVER_URL", "127.0.0.1:" + xdsPort,
                      "CONFIG_GRPC_XDS_NODE_ID", "ratelimit-stats-it",
                      "XDS_CLIENT_BACKOFF_INITIAL_INTERVAL", "1s",
                      "XDS_CLIENT_BACKOFF_MAX_INTERVAL", "2s",
                      "FORCE_START_WITHOUT_INITIAL_CONFIG", "true")));
      controlPlane = startControlPlane(config("a", proxyPort), xdsPort);
      ratelimit.start();
      envoy = started(EnvoyProcess.builder(controlPlane.xdsPort()).start());
      envoy.awaitListener(Duration.ofSeconds(60));
    } catch (RuntimeException | Error e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    started.close();
    Scratch.delete(dir);
  }

  @Test
  @Order(1)
  void trafficIncluding429sShowsUpWithExactCountsWithin15Seconds() throws Exception {
    HttpResponse<String> created =
        http.send(
            HttpRequest.newBuilder(URI.create(controlPlane.baseUrl() + "/api/v1/limits"))
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        """
                        {"name":"%s","match":{"pathPrefix":"/sites/"},"by":["ip"],
                         "limit":{"requests":3,"per":"minute"},"mode":"enforce","enabled":true}
                        """
                            .formatted(RULE)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

    // Until the rule reaches Envoy and the rate-limit service, /sites/ is not limited yet; every
    // one of these requests is counted all the same.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (get(proxyPort, "/sites/MLA") != 429) {
      assertThat(System.nanoTime()).as("the limit never blocked").isLessThan(deadline);
      Thread.sleep(200);
    }
    for (int i = 0; i < 5; i++) {
      get(proxyPort, "/categories/MLA97994");
      get(proxyPort, "/sites/MLA?attributes=id");
      get(proxyPort, "/items/MLA1100000000");
      get(proxyPort, "/items/MLA0");
    }
    assertThat(statuses).containsKeys("200", "404", "429");
    Instant lastRequest = Instant.now();

    awaitApi(controlPlane, "\"totalRequests\":" + sent + ",", VISIBLE_WITHIN);
    assertThat(Duration.between(lastRequest, Instant.now())).isLessThan(VISIBLE_WITHIN);
    assertExactCounts(controlPlane, sent);

    String blocked = api(controlPlane, "/api/v1/stats/blocked?rule=" + RULE + "&limit=1");
    assertThat(blocked)
        .contains("\"clientIp\":\"127.0.0.1\"", "\"path\":\"/sites/MLA")
        .contains("\"rule\":\"" + RULE + "\"", "\"limit\":\"3/minute\"");
  }

  @Test
  @Order(2)
  void countsSurviveAControlPlaneRestart() throws Exception {
    controlPlane.restart();
    assertExactCounts(controlPlane, sent);
    // Ingestion resumes: Envoy reconnects its access-log stream to the new process.
    get(proxyPort, "/categories/MLA97994");
    awaitApi(controlPlane, "\"totalRequests\":" + sent + ",", Duration.ofSeconds(30));
  }

  @Test
  @Order(3)
  void twoControlPlanesOnOnePostgresqlSum() throws Exception {
    int otherProxy = FreePorts.next();
    try (ControlPlaneProcess b = startControlPlane(config("b", otherProxy), 0);
        EnvoyProcess envoyB = EnvoyProcess.builder(b.xdsPort()).start()) {
      envoyB.awaitListener(Duration.ofSeconds(60));
      long before = sent;
      for (int i = 0; i < 7; i++) {
        // Until B's Envoy has bound its listener the connection is refused (and nothing logged).
        await("B's proxy to answer")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> get(otherProxy, "/categories/MLA97994") != 0);
      }
      // B reads A's traffic from the shared database, so A's open minute shows in B only once A
      // flushes it (per minute); B's own entries are visible at once.
      awaitApi(b, "\"totalRequests\":" + sent + ",", OTHER_REPLICA_VISIBLE_WITHIN);
      // B's minute is in its memory until it flushes; a graceful stop writes it.
      b.stop();
      assertThat(sent - before).isEqualTo(7);
    }
    assertExactCounts(controlPlane, sent);
  }

  @Test
  @Order(4)
  void withTheControlPlaneStoppedEnvoyServesEveryRequestAndCountsWhatItLost() throws Exception {
    long countedBefore = total(controlPlane);
    long written = envoy.statOrZero("access_logs.grpc_access_log.logs_written");
    long dropped = envoy.statOrZero("access_logs.grpc_access_log.logs_dropped");
    long sentBefore = sent;
    AtomicBoolean failed = new AtomicBoolean();
    AtomicLong during = new AtomicLong();
    Thread traffic =
        new Thread(
            () -> {
              long end = System.nanoTime() + Duration.ofSeconds(6).toNanos();
              while (System.nanoTime() < end) {
                if (get(proxyPort, "/categories/MLA97994") != 200) {
                  failed.set(true);
                }
                during.incrementAndGet();
              }
            });
    // Stopped gracefully: what it had ingested is written; what Envoy sends meanwhile is lost.
    controlPlane.stop();
    traffic.start();
    traffic.join();
    assertThat(failed).as("a request failed while the control plane was down").isFalse();
    assertThat(during.get()).isPositive();

    controlPlane.start();
    long afterRestart = total(controlPlane);
    for (int i = 0; i < 5; i++) {
      get(proxyPort, "/categories/MLA97994");
    }
    envoy
        .process()
        .await(
            "ingestion to resume",
            Duration.ofSeconds(30),
            () -> total(controlPlane) >= afterRestart + 5);
    long counted = total(controlPlane) - countedBefore;
    long droppedNow = envoy.statOrZero("access_logs.grpc_access_log.logs_dropped") - dropped;
    long writtenNow = envoy.statOrZero("access_logs.grpc_access_log.logs_written") - written;
    long phase = sent - sentBefore;
    System.out.printf(
        "control plane down: sent %d (%d while down), counted %d, Envoy logs_dropped +%d,"
            + " logs_written +%d%n",
        phase, during.get(), counted, droppedNow, writtenNow);
    // Envoy's logs_dropped counts only back-pressure on a live stream; entries flushed while the
    // control plane is unreachable count as logs_written and are lost. So the loss Envoy's stats
    // show is logs_written (+ logs_dropped) minus what the control plane counted.
    assertThat(writtenNow + droppedNow).isEqualTo(phase);
    assertThat(counted).as("entries were lost while down").isLessThan(phase);
    assertThat(phase - counted).as("what was lost").isLessThanOrEqualTo(during.get());
    assertThat(counted).as("ingestion resumed").isGreaterThanOrEqualTo(5);
  }

  private static void assertExactCounts(ControlPlaneProcess cp, long total) {
    String summary = api(cp, "/api/v1/stats/summary?from=" + enc(since.toString()));
    assertThat(summary).contains("\"totalRequests\":" + total + ",");
    assertThat(summary).contains("\"rateLimitedRequests\":" + statuses.get("429") + ",");
    Map<String, Long> statusCounts = new TreeMap<>();
    Matcher m =
        Pattern.compile("\"(\\d+)\":(\\d+)")
            .matcher(summary.substring(summary.indexOf("\"statusCounts\"")));
    while (m.find()) {
      statusCounts.put(m.group(1), Long.parseLong(m.group(2)));
    }
    assertThat(statusCounts).isEqualTo(statuses);

    Map<String, long[]> byPath = top(cp, "path");
    assertThat(byPath.keySet()).isEqualTo(paths.keySet());
    paths.forEach(
        (path, c) -> assertThat(byPath.get(path)).as("counts of %s", path).containsExactly(c));
    assertThat(top(cp, "ip")).containsOnlyKeys("127.0.0.1");
    assertThat(top(cp, "ip").get("127.0.0.1")).containsExactly(total, statuses.get("429"));
    assertThat(top(cp, "rule")).containsOnlyKeys(RULE);
    assertThat(top(cp, "rule").get(RULE)).containsExactly(statuses.get("429"), statuses.get("429"));
  }

  private static final Pattern KEY =
      Pattern.compile("\\{\"key\":\"([^\"]*)\",\"requests\":(\\d+),\"rateLimited\":(\\d+)}");

  private static Map<String, long[]> top(ControlPlaneProcess cp, String by) {
    String body =
        api(cp, "/api/v1/stats/top?by=" + by + "&limit=100&from=" + enc(since.toString()));
    Map<String, long[]> out = new TreeMap<>();
    Matcher m = KEY.matcher(body);
    while (m.find()) {
      out.put(m.group(1), new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
    }
    return out;
  }

  private static long total(ControlPlaneProcess cp) {
    Matcher m =
        Pattern.compile("\"totalRequests\":(\\d+)")
            .matcher(api(cp, "/api/v1/stats/summary?from=" + enc(since.toString())));
    assertThat(m.find()).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static void awaitApi(ControlPlaneProcess cp, String expected, Duration timeout) {
    cp.process()
        .await(
            "the statistics to show " + expected,
            timeout,
            () ->
                api(cp, "/api/v1/stats/summary?from=" + enc(since.toString())).contains(expected));
  }

  /** GET through a proxy, tallied; returns the status (0 when the request failed). */
  private static synchronized int get(int port, String pathAndQuery) {
    int status = ProxyGet.status(http, port, pathAndQuery);
    if (status == 0) {
      return 0; // failed requests are not tallied
    }
    String path = pathAndQuery.split("\\?")[0];
    sent++;
    statuses.merge(Integer.toString(status), 1L, Long::sum);
    long[] c = paths.computeIfAbsent(path, p -> new long[2]);
    c[0]++;
    if (status == 429) {
      c[1]++;
    }
    return status;
  }

  private static String api(ControlPlaneProcess cp, String pathAndQuery) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(cp.baseUrl() + pathAndQuery))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return r.body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static Path config(String name, int port) throws IOException {
    Path file = dir.resolve("tollgate-" + name + ".yaml");
    Files.writeString(file, TollgateStack.proxyingTo(port, mock.httpUrl()));
    return file;
  }

  private static ControlPlaneProcess startControlPlane(Path config, int xdsPort) {
    ControlPlaneProcess.Builder b =
        ControlPlaneProcess.builder(config)
            .env("TOLLGATE_DB_URL", postgres.jdbcUrl())
            .env("SPRING_DATASOURCE_USERNAME", postgres.user())
            .env("TOLLGATE_RATELIMIT_PORT", Integer.toString(ratelimit.grpcPort()));
    if (xdsPort > 0) {
      b.xdsPort(xdsPort);
    }
    return started(b.start());
  }

  private static <T extends AutoCloseable> T started(T process) {
    started.add(process);
    return process;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
