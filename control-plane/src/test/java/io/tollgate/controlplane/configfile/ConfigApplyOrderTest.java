package io.tollgate.controlplane.configfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tollgate.controlplane.limits.store.LimitRuleService;
import io.tollgate.controlplane.xds.SnapshotPublisher;
import io.tollgate.controlplane.xds.translate.TranslatorExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Applying {@code tollgate.yaml} is parse, translate (dry run), commit the file's rules, publish:
 * on a real (H2) database, with a translator extension that cannot translate one route name, and
 * the database shut down underneath the running control plane.
 */
@SpringBootTest(
    properties = {
      "spring.datasource.url=jdbc:h2:mem:config-apply;DB_CLOSE_DELAY=-1",
      "tollgate.xds.port=0"
    })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class ConfigApplyOrderTest {

  private static final Duration RELOAD = Duration.ofSeconds(30);
  private static final Path FILE = tempFile();

  @Autowired LimitRuleService rules;
  @Autowired SnapshotPublisher snapshots;
  @Autowired MeterRegistry meters;
  @Autowired JdbcTemplate jdbc;
  @Autowired FileRulesListener fileRules;

  /** A route the translation refuses, as a broken extension or an unsupported feature would. */
  @TestConfiguration
  static class Untranslatable {
    @Bean
    TranslatorExtension refusesOneRoute() {
      return new TranslatorExtension() {
        @Override
        public void decorateRoute(
            io.tollgate.controlplane.xds.translate.TranslatorInput input,
            io.tollgate.controlplane.configfile.RouteSpec route,
            io.envoyproxy.envoy.config.route.v3.Route.Builder envoyRoute) {
          if (route.name().equals("untranslatable")) {
            throw new IllegalArgumentException("route 'untranslatable' cannot be translated");
          }
        }
      };
    }
  }

  @DynamicPropertySource
  static void config(DynamicPropertyRegistry registry) {
    registry.add("tollgate.config", FILE::toString);
  }

  @Test
  @Order(1)
  void aFileThatDoesNotTranslateLeavesTheLastGoodFileAndItsRulesInForce() throws IOException {
    String before = snapshots.current().orElseThrow().version();
    double errors = errors();

    Files.writeString(
        FILE, file(9, "  - { name: untranslatable, match: { path: /x }, upstream: a }\n"));

    await().atMost(RELOAD).until(() -> errors() > errors);
    assertThat(requests("file-a")).isEqualTo(5);
    assertThat(snapshots.current().orElseThrow().version()).isEqualTo(before);
  }

  @Test
  @Order(2)
  void aDatabaseOutageBlocksNoRouteEditAndHasItsOwnMessage(CapturedOutput output)
      throws IOException {
    jdbc.execute("SHUTDOWN");
    String before = snapshots.current().orElseThrow().version();

    Files.writeString(
        FILE, file(5, "  - { name: items, match: { pathPrefix: /items/ }, upstream: a }\n"));
    await().atMost(RELOAD).until(() -> !snapshots.current().orElseThrow().version().equals(before));

    double errors = errors();
    Files.writeString(FILE, file(7, ""));
    await().atMost(RELOAD).until(() -> errors() > errors);
    assertThat(output.getAll()).contains("the database refused its limit rules");

    Path other = Files.writeString(FILE.resolveSibling("start.yaml"), file(8, ""));
    GatewayConfigWatcher starting =
        new GatewayConfigWatcher(
            other, new GatewayConfigParser(), fileRules, new SimpleMeterRegistry());
    assertThatThrownBy(starting::start)
        .hasMessageStartingWith("cannot store the limit rules in the database for")
        .hasMessageNotContaining("invalid configuration");
  }

  private long requests(String name) {
    return rules.get(name).orElseThrow().rule().limit().requests();
  }

  private double errors() {
    return meters.get("tollgate.config.loads").tag("result", "error").counter().count();
  }

  private static String file(int requests, String extraRoute) {
    return """
        upstreams:
          - { name: a, url: "http://127.0.0.1:1" }
        routes:
        %s  - { name: default, match: { pathPrefix: / }, upstream: a }
        limits:
          - { name: file-a, match: { pathPrefix: /a/ }, limit: { requests: %d, per: minute } }
        """
        .formatted(extraRoute, requests);
  }

  private static Path tempFile() {
    try {
      Path file = Files.createTempDirectory("config-apply").resolve("tollgate.yaml");
      return Files.writeString(file, file(5, ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
