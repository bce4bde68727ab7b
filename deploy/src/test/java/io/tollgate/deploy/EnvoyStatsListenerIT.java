package io.tollgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.deploy.CodeContract.Component;
import io.tollgate.deploy.Workloads.Container;
import io.tollgate.testsupport.EnvoyProcess;
import io.tollgate.testsupport.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real Envoy with Tollgate's bootstrap: the stats listener serves only GET /stats/prometheus
 * and GET /ready from the loopback admin, and the Kubernetes preStop hook (taken from the rendered
 * prod overlay, run with bash as the kubelet would) fails readiness and drains through the admin
 * without wget or curl.
 */
class EnvoyStatsListenerIT {

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void statsListenerServesOnlyStatsAndReadinessAndThePreStopHookDrains() throws Exception {
    List<String> preStop;
    try (Overlays overlays = new Overlays()) {
      Container envoy =
          Workloads.ofKubernetes("prod", overlays.render("overlays/prod").objects()).stream()
              .filter(c -> c.component() == Component.ENVOY)
              .findFirst()
              .orElseThrow();
      preStop =
          Workloads.strings(CodeContract.path(envoy.spec(), "lifecycle.preStop.exec.command"));
    }
    // No control plane: Envoy turns live once its ADS initial fetches time out.
    try (EnvoyProcess envoy = EnvoyProcess.builder(FreePorts.next()).concurrency(1).start()) {
      String stats = "http://127.0.0.1:" + envoy.statsPort();
      envoy
          .process()
          .await(
              "/ready on the stats listener",
              Duration.ofSeconds(120),
              () -> status("GET", stats + "/ready") == 200);

      assertThat(get(stats + "/stats/prometheus")).contains("envoy_server_uptime");
      for (String path :
          List.of("/quitquitquit", "/config_dump", "/stats", "/runtime_modify", "/")) {
        assertThat(status("GET", stats + path)).as("GET " + path).isEqualTo(404);
      }
      for (String path : List.of("/healthcheck/fail", "/ready", "/drain_listeners")) {
        assertThat(status("POST", stats + path)).as("POST " + path).isEqualTo(404);
      }
      assertThat(status("GET", stats + "/ready")).isEqualTo(200);

      List<String> hook = new ArrayList<>(preStop);
      hook.set(0, "bash");
      Commands.Result result =
          Commands.run(
              hook,
              Map.of(
                  "ENVOY_ADMIN_PORT",
                  Integer.toString(envoy.adminPort()),
                  "ENVOY_DRAIN_TIME_S",
                  "0"),
              Duration.ofSeconds(60));
      assertThat(result.exitCode()).as(result.output()).isZero();
      assertThat(result.output().lines().filter(l -> l.startsWith("HTTP/1.1 200")))
          .as("both admin calls answered 200:\n" + result.output())
          .hasSize(2);
      assertThat(status("GET", stats + "/ready")).as("readiness after preStop").isEqualTo(503);
    }
  }

  private int status(String method, String url) {
    try {
      return http.send(request(method, url), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private String get(String url) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(request("GET", url), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET " + url).isEqualTo(200);
    return response.body();
  }

  private static HttpRequest request(String method, String url) {
    return HttpRequest.newBuilder(URI.create(url))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(5))
        .build();
  }
}
