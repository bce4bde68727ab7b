package io.tollgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.testsupport.Binaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The monitoring configuration: Prometheus's configs and alert rules pass {@code promtool}, every
 * alert has a unit test that makes it fire ({@code promtool test rules}), and what k8s/ ships as
 * ConfigMaps is what config/ holds. Whether the dashboards' queries return data is e2e's
 * DashboardQueriesIT (a live stack); the compose wiring of Grafana is the compose test's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringConfigIT {

  private static final Path ROOT = Binaries.repoRoot();
  private static final Path PROMETHEUS = ROOT.resolve("config/prometheus");
  private static final Path GRAFANA = ROOT.resolve("config/grafana");

  @AutoClose private final Overlays overlays = new Overlays();

  @Test
  void prometheusConfigsAndAlertRulesPassPromtool() {
    for (String config : List.of("prometheus.yml", "prometheus.compose.yml")) {
      Commands.Result checked =
          Commands.run(
              List.of("promtool", "check", "config", PROMETHEUS.resolve(config).toString()));
      assertThat(checked.exitCode()).as(checked.output()).isZero();
      assertThat(checked.output()).as(config + " loads alerts.yml").contains("alerts.yml");
    }
    Commands.Result tested =
        Commands.run(
            List.of("promtool", "test", "rules", PROMETHEUS.resolve("alerts.test.yml").toString()));
    assertThat(tested.exitCode()).as(tested.output()).isZero();
    assertThat(tested.output()).contains("SUCCESS");
  }

  /** promtool is no rubber stamp: an expected alert that does not fire fails the unit test. */
  @Test
  void promtoolFailsAnAlertTestThatExpectsTheWrongAlert() throws IOException {
    Path dir = Files.createTempDirectory("tollgate-alerts-");
    Files.copy(PROMETHEUS.resolve("alerts.yml"), dir.resolve("alerts.yml"));
    String test = Files.readString(PROMETHEUS.resolve("alerts.test.yml"));
    Files.writeString(
        dir.resolve("alerts.test.yml"), test.replace("severity: critical", "severity: page"));
    Commands.Result tested =
        Commands.run(
            List.of("promtool", "test", "rules", dir.resolve("alerts.test.yml").toString()));
    assertThat(tested.exitCode()).as(tested.output()).isNotZero();
    assertThat(tested.output()).contains("FAILED");
  }

  @Test
  void everyAlertHasATestThatMakesItFire() throws IOException {
    Set<String> alerts = new TreeSet<>();
    for (Map<String, Object> group : list(yaml(PROMETHEUS.resolve("alerts.yml")).get("groups"))) {
      for (Map<String, Object> rule : list(group.get("rules"))) {
        assertThat(rule).as("a rule of alerts.yml").containsKey("alert");
        alerts.add((String) rule.get("alert"));
      }
    }
    Set<String> firing = new TreeSet<>();
    for (Map<String, Object> test :
        list(yaml(PROMETHEUS.resolve("alerts.test.yml")).get("tests"))) {
      for (Map<String, Object> check : list(test.get("alert_rule_test"))) {
        if (!list(check.get("exp_alerts")).isEmpty()) {
          firing.add((String) check.get("alertname"));
        }
      }
    }
    assertThat(alerts).hasSizeGreaterThanOrEqualTo(8);
    assertThat(firing).as("alerts with a test expecting them to fire").isEqualTo(alerts);
  }

  @Test
  void grafanaProvisioningServesTheDashboardsFromTheDirectoryComposeMounts() throws IOException {
    Map<String, Object> provider =
        list(yaml(GRAFANA.resolve("provisioning/dashboards/tollgate.yaml")).get("providers"))
            .get(0);
    @SuppressWarnings("unchecked")
    String path = (String) ((Map<String, Object>) provider.get("options")).get("path");
    String compose = Files.readString(ROOT.resolve("compose.yaml"));
    assertThat(compose)
        .contains("./config/grafana/dashboards:" + path + ":ro")
        .contains("./config/grafana/provisioning:/etc/grafana/provisioning:ro");
    Map<String, Object> datasource =
        list(yaml(GRAFANA.resolve("provisioning/datasources/prometheus.yaml")).get("datasources"))
            .get(0);
    assertThat(datasource).containsEntry("type", "prometheus").containsEntry("isDefault", true);
    for (Path board : dashboards()) {
      String json = Files.readString(board);
      assertThat(json)
          .as(board + " queries the datasource picked by its variable, never a fixed uid")
          .contains("\"uid\": \"${datasource}\"")
          .doesNotContain("\"uid\": \"" + datasource.get("uid") + "\"");
    }
  }

  @Test
  void kubernetesShipsTheSameRulesDatasourceAndDashboards() throws IOException {
    assertThat(Files.readString(ROOT.resolve("k8s/base/prometheus/alerts.yml")))
        .as("k8s/base/prometheus/alerts.yml is a copy of config/prometheus/alerts.yml")
        .isEqualTo(Files.readString(PROMETHEUS.resolve("alerts.yml")));
    assertThat(Files.readString(ROOT.resolve("k8s/base/grafana/datasource.yaml")))
        .isEqualTo(Files.readString(GRAFANA.resolve("provisioning/datasources/prometheus.yaml")));
    List<String> names = new ArrayList<>();
    for (Path board : dashboards()) {
      String name = board.getFileName().toString();
      names.add(name);
      assertThat(Files.readString(ROOT.resolve("k8s/base/grafana").resolve(name)))
          .as("k8s/base/grafana/" + name + " is a copy of config/grafana/dashboards/" + name)
          .isEqualTo(Files.readString(board));
    }
    for (String overlay : overlays.deployable()) {
      Map<String, Map<String, Object>> configMaps = new TreeMap<>();
      for (Map<String, Object> object : overlays.render(overlay).objects()) {
        if ("ConfigMap".equals(object.get("kind"))) {
          configMaps.put((String) CodeContract.path(object, "metadata.name"), object);
        }
      }
      assertThat(configMaps)
          .as(overlay)
          .containsKeys(
              "tollgate-prometheus-rules",
              "tollgate-grafana-datasource",
              "tollgate-grafana-dashboards");
      assertThat(CodeContract.path(configMaps.get("tollgate-grafana-dashboards"), "data"))
          .asInstanceOf(InstanceOfAssertFactories.MAP)
          .containsOnlyKeys(names.toArray());
      assertThat(
              CodeContract.path(
                  configMaps.get("tollgate-grafana-dashboards"),
                  "metadata.labels.grafana_dashboard"))
          .isEqualTo("1");
    }
  }

  private static List<Path> dashboards() throws IOException {
    try (Stream<Path> files = Files.list(GRAFANA.resolve("dashboards"))) {
      List<Path> boards = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
      assertThat(boards).hasSizeGreaterThanOrEqualTo(3);
      return boards;
    }
  }

  private static Map<String, Object> yaml(Path file) throws IOException {
    return new Yaml(new LoaderOptions()).load(Files.readString(file));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object value) {
    return value == null ? List.of() : (List<Map<String, Object>>) value;
  }
}
