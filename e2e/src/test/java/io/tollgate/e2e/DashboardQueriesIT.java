package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tollgate.testsupport.Binaries;
import io.tollgate.testsupport.PrometheusServer;
import io.tollgate.testsupport.PrometheusServer.Job;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The live dashboard-query check: every query of every Grafana dashboard
 * (config/grafana/dashboards) returns data from a real Prometheus scraping a real stack (Envoy's
 * stats listener, the control plane, the rate-limit service) that served traffic, 200s and 429s. A
 * panel on a misspelt or vanished metric fails it. The alert rules (config/prometheus/alerts.yml)
 * load and evaluate, stay quiet on the healthy stack, and the ones for a failing rate-limit service
 * become active when it stops (which is also when Envoy first creates the counters of the failure
 * panels).
 */
class DashboardQueriesIT {

  /** Series Envoy creates on the first failed ShouldRateLimit call, not before. */
  private static final Pattern ON_FAILURE =
      Pattern.compile("envoy_cluster_ratelimit_(error|failure_mode_allowed)");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path ROOT = Binaries.repoRoot();

  /** One query of one panel. */
  record PanelQuery(String dashboard, String panel, String expr) {
    @Override
    public String toString() {
      return dashboard + " / " + panel + ": " + expr;
    }
  }

  @Test
  void everyPanelQueryReturnsDataAndTheAlertsSeeTheRateLimitServiceFail() {
    List<PanelQuery> queries = panelQueries();
    List<PanelQuery> healthy =
        queries.stream().filter(q -> !ON_FAILURE.matcher(q.expr()).find()).toList();
    List<PanelQuery> onFailure =
        queries.stream().filter(q -> ON_FAILURE.matcher(q.expr()).find()).toList();
    assertThat(onFailure).as("panels on Envoy's rate-limit failure counters").isNotEmpty();

    try (LimitsStack stack = LimitsStack.start(new LimitsStack.Variant(false, false, false));
        PrometheusServer prometheus =
            PrometheusServer.start(
                List.of(
                    new Job(
                        "envoy",
                        "/stats/prometheus",
                        "127.0.0.1:" + stack.gateway().envoy().statsPort()),
                    new Job(
                        "control-plane",
                        "/actuator/prometheus",
                        stack.gateway().controlPlane().baseUrl().replaceFirst("^http://", "")),
                    new Job(
                        "ratelimit-service",
                        "/metrics",
                        "127.0.0.1:" + stack.rateLimit().httpPort())),
                List.of(ROOT.resolve("config/prometheus/alerts.yml")))) {
      long version =
          stack.create(
              """
              {"name":"per-ip","match":{"pathPrefix":"/categories/"},"by":["ip"],
               "limit":{"requests":2,"per":"minute"}}""");
      stack.awaitApplied(version);
      int limited = 0;
      for (String client : List.of("127.0.0.21", "127.0.0.22")) {
        for (int i = 0; i < 8; i++) {
          if (stack.get(client, "/categories/MLA97994").status() == 429) {
            limited++;
          }
        }
      }
      // 8 calls each at 2/minute: at least 4 over the limit each, even across a minute's end.
      assertThat(limited).as("429s of two clients over 2/minute").isGreaterThanOrEqualTo(8);

      await("every healthy-stack panel query returns data")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofSeconds(2))
          .untilAsserted(() -> assertThat(withoutData(prometheus, healthy)).isEmpty());
      await("every alert rule loaded and evaluated")
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(ruleHealth(prometheus)).containsOnly("ok"));
      assertThat(activeAlerts(prometheus)).as("alerts on a healthy stack").isEmpty();

      // The rate-limit service goes away: Envoy fails open (failure_mode_deny off) and counts it.
      stack.rateLimit().close();
      await("Envoy's rate-limit failure counters, the failure panels and their alerts")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofSeconds(2))
          .untilAsserted(
              () -> {
                assertThat(stack.get("127.0.0.23", "/categories/MLA97994").status())
                    .as("admitted without a decision")
                    .isEqualTo(200);
                assertThat(withoutData(prometheus, onFailure)).isEmpty();
                assertThat(activeAlerts(prometheus))
                    .contains(
                        "TollgateRateLimitErrors",
                        "TollgateFailOpenAdmissions",
                        "TollgateRateLimitServiceDown");
              });
    }
  }

  private static List<PanelQuery> panelQueries() {
    List<PanelQuery> queries = new ArrayList<>();
    try (Stream<Path> files = Files.list(ROOT.resolve("config/grafana/dashboards"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        JsonNode board = JSON.readTree(Files.readString(file));
        for (JsonNode panel : board.path("panels")) {
          for (JsonNode target : panel.path("targets")) {
            queries.add(
                new PanelQuery(
                    board.path("title").asString(),
                    panel.path("title").asString(),
                    target.path("expr").asString()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(queries).as("queries of the dashboards").hasSizeGreaterThan(20);
    return queries;
  }

  /** The queries that fail or return no series. */
  private static List<PanelQuery> withoutData(
      PrometheusServer prometheus, List<PanelQuery> queries) {
    List<PanelQuery> empty = new ArrayList<>();
    for (PanelQuery q : queries) {
      JsonNode answer = JSON.readTree(prometheus.query(q.expr()));
      if (!"success".equals(answer.path("status").asString())
          || answer.path("data").path("result").isEmpty()) {
        empty.add(q);
      }
    }
    return empty;
  }

  private static Set<String> ruleHealth(PrometheusServer prometheus) {
    Set<String> health = new TreeSet<>();
    JsonNode groups = JSON.readTree(prometheus.api("/api/v1/rules", Map.of())).path("data");
    int rules = 0;
    for (JsonNode group : groups.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        rules++;
        health.add(rule.path("health").asString() + rule.path("lastError").asString(""));
      }
    }
    assertThat(rules).as("rules loaded").isGreaterThanOrEqualTo(8);
    return health;
  }

  /** Names of the alerts pending or firing. */
  private static Set<String> activeAlerts(PrometheusServer prometheus) {
    Set<String> names = new TreeSet<>();
    JsonNode alerts = JSON.readTree(prometheus.api("/api/v1/alerts", Map.of())).path("data");
    for (JsonNode alert : alerts.path("alerts")) {
      names.add(alert.path("labels").path("alertname").asString());
    }
    return names;
  }
}
