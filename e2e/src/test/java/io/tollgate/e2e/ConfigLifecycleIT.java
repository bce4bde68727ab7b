package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The configuration's life while traffic flows: edits reach Envoy without a restart, a config Envoy
 * rejects leaves the last good one serving, and Envoy outlives its control plane. Each test writes
 * the config it starts from; the order only keeps the control-plane crash last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SharedStack.class)
class ConfigLifecycleIT {

  private static final Duration PROPAGATION_LIMIT = Duration.ofSeconds(2);

  static TollgateStack stack;

  @BeforeAll
  static void share(TollgateStack shared) {
    stack = shared;
  }

  /** The same plus a TLS upstream and a route sending /echo to it (its echo says https). */
  static String withTlsEchoRoute(TollgateStack s) {
    return """
        upstreams:
          - name: mock
            url: %s
          - name: mock_tls
            url: %s
            caFile: %s
        routes:
          - name: echo-over-tls
            match: { path: /echo }
            upstream: mock_tls
          - name: default
            match: { pathPrefix: / }
            upstream: mock
        """
        .formatted(s.mock().httpUrl(), s.mock().httpsUrl(), s.ca().caFile());
  }

  static boolean servedOverTls(HttpResponse<String> r) {
    return r.statusCode() == 200 && r.body().contains("\"scheme\":\"https\"");
  }

  static boolean servedOverHttp(HttpResponse<String> r) {
    return r.statusCode() == 200 && r.body().contains("\"scheme\":\"http\"");
  }

  @Test
  @Order(1)
  void editingTheConfigAddsARouteEnvoyServesWithin2sWithoutARestart() {
    stack.use(stack.httpMockConfig());
    long pid = stack.envoy().pid();
    long uptimeBefore = stack.envoy().uptimeSeconds();

    stack.writeConfig(withTlsEchoRoute(stack));
    Duration took =
        stack.awaitProxy("/echo", ConfigLifecycleIT::servedOverTls, Duration.ofSeconds(10));

    assertThat(took).isLessThan(PROPAGATION_LIMIT);
    assertThat(stack.get("/categories/MLA97994").statusCode()).isEqualTo(200);
    // server.uptime moves with Envoy's stats flush (every 5 s): wait for the next one.
    stack
        .envoy()
        .process()
        .await(
            "Envoy's uptime to grow past " + uptimeBefore + " s",
            Duration.ofSeconds(12),
            () -> stack.envoy().uptimeSeconds() > uptimeBefore);
    assertThat(stack.envoy().pid()).isEqualTo(pid);
  }

  @Test
  @Order(2)
  void configEnvoyRejectsKeepsTrafficOnTheLastGoodConfigAndShowsTheNack() {
    stack.use(withTlsEchoRoute(stack));
    String missingCa = "/nonexistent/tollgate-e2e/ca.pem";

    // Valid YAML the control plane accepts (the CA file is a path on the Envoy host), but Envoy
    // cannot load it: it rejects (NACKs) the clusters and keeps the ones it runs.
    stack.writeConfig(
        """
        upstreams:
          - name: mock
            url: %s
          - name: broken_tls
            url: %s
            caFile: %s
        routes:
          - name: broken
            match: { pathPrefix: /broken/ }
            upstream: broken_tls
          - name: default
            match: { pathPrefix: / }
            upstream: mock
        """
            .formatted(stack.mock().httpUrl(), stack.mock().httpsUrl(), missingCa));

    String nodes = awaitNodesShowing(missingCa);
    assertThat(nodes).contains(stack.envoy().nodeId());
    assertThat(stack.envoy().statOrZero("cluster_manager.cds.update_rejected")).isPositive();
    assertThat(nackMetric()).isPositive();
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = stack.get("/categories/MLA97994");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"id\":\"MLA97994\"");
    }
    assertThat(stack.get("/broken/categories/MLA97994").statusCode()).isEqualTo(503);
    assertThat(stack.envoy().statOrZero("cluster.broken_tls.upstream_rq_total")).isZero();

    // A good config after the bad one is applied as usual.
    stack.applyConfig(stack.httpMockConfig(), Duration.ofSeconds(10));
    assertThat(stack.get("/echo").body()).contains("\"scheme\":\"http\"");
  }

  @Test
  @Order(3)
  void envoyKeepsServingWhileTheControlPlaneIsDeadAndReconnectsWhenItIsBack() throws Exception {
    stack.use(stack.httpMockConfig());
    long uptimeBefore = stack.envoy().uptimeSeconds();

    stack.controlPlane().kill();
    stack
        .envoy()
        .process()
        .await(
            "Envoy to notice the control plane is gone",
            Duration.ofSeconds(10),
            () -> stack.envoy().statOrZero("control_plane.connected_state") == 0);
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = stack.get("/categories/MLA97994");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"id\":\"MLA97994\"");
      // Pacing, not synchronising: the requests span a second of the outage, not one instant.
      Thread.sleep(50);
    }

    // Changed while the control plane is down: served once it is back and Envoy reconnected.
    stack.writeConfig(withTlsEchoRoute(stack));
    stack.controlPlane().start();
    stack.awaitProxy("/echo", ConfigLifecycleIT::servedOverTls, Duration.ofSeconds(30));
    stack.awaitEnvoyInSync(Duration.ofSeconds(10));
    assertThat(stack.envoy().statOrZero("control_plane.connected_state")).isEqualTo(1);
    assertThat(stack.envoy().uptimeSeconds()).isGreaterThan(uptimeBefore);

    // And a change after the reconnect still propagates within the limit.
    stack.writeConfig(stack.httpMockConfig());
    Duration took =
        stack.awaitProxy("/echo", ConfigLifecycleIT::servedOverHttp, Duration.ofSeconds(10));
    assertThat(took).isLessThan(PROPAGATION_LIMIT);
  }

  private static String awaitNodesShowing(String text) {
    String[] body = {""};
    stack
        .controlPlane()
        .process()
        .await(
            "GET /api/v1/xds/nodes to show the NACK",
            Duration.ofSeconds(15),
            () -> {
              HttpResponse<String> r = stack.rest("/api/v1/xds/nodes");
              body[0] = r.body();
              return r.statusCode() == 200 && r.body().contains(text);
            });
    return body[0];
  }

  /** The sum of the control plane's NACK counters in its Prometheus scrape. */
  private static double nackMetric() {
    String scrape = stack.rest("/actuator/prometheus").body();
    return scrape
        .lines()
        .filter(l -> l.startsWith("tollgate_xds_nacks_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
