package io.tollgate.controlplane.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.tollgate.testsupport.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The assembled application: the config file it watches, its gRPC port and REST API. A client
 * playing Envoy ACKs the first snapshot and NACKs the one an edit produces; the NACK is visible at
 * {@code /api/v1/xds/nodes} and in the Prometheus metrics.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ControlPlaneXdsIT {

  private static final int XDS_PORT = FreePorts.next();
  private static final Path CONFIG = configFile();

  @LocalServerPort int restPort;

  private final HttpClient http = HttpClient.newHttpClient();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("tollgate.config", CONFIG::toString);
    registry.add("tollgate.xds.port", () -> XDS_PORT);
    registry.add("spring.datasource.url", () -> "jdbc:h2:mem:xds-it;DB_CLOSE_DELAY=-1");
  }

  @Test
  void aNackFromANodeIsVisibleInTheRestApiAndTheMetrics() throws Exception {
    try (AdsClient envoy = new AdsClient(XDS_PORT, "it-envoy")) {
      envoy.subscribe(XdsTypeUrls.CLUSTER);
      DiscoveryResponse first = envoy.next(XdsTypeUrls.CLUSTER);
      envoy.ack(first);
      JsonNode snapshot = getJson("/api/v1/xds/snapshot");
      assertThat(snapshot.at("/typeVersions").get(XdsTypeUrls.CLUSTER).asString())
          .isEqualTo(first.getVersionInfo());

      Files.writeString(CONFIG, config("edited"));
      DiscoveryResponse second = envoy.next(XdsTypeUrls.CLUSTER);
      envoy.nack(second, first.getVersionInfo(), "Invalid path: /missing-ca.pem");

      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> {
                JsonNode node = getJson("/api/v1/xds/nodes").get(0);
                assertThat(node.get("id").asString()).isEqualTo("it-envoy");
                assertThat(node.get("state").asString()).isEqualTo("CONNECTED");
                assertThat(node.at("/lastNack/message").asString())
                    .isEqualTo("Invalid path: /missing-ca.pem");
                assertThat(node.at("/lastNack/version").asString())
                    .isEqualTo(second.getVersionInfo());
                assertThat(node.at("/types/0/ackedVersion").asString())
                    .isEqualTo(first.getVersionInfo());
              });
      assertThat(get("/actuator/prometheus"))
          .contains(
              "tollgate_xds_nacks_total{type_url=\"" + XdsTypeUrls.CLUSTER + "\"} 1.0",
              "tollgate_config_loads_total{result=\"success\"} 2.0",
              "tollgate_xds_nodes_connected 1.0");
    }
  }

  private JsonNode getJson(String path) throws Exception {
    return JsonMapper.builder().build().readTree(get(path));
  }

  private String get(String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return response.body();
  }

  private static Path configFile() {
    try {
      Path dir = Files.createTempDirectory("tollgate-it");
      return Files.writeString(dir.resolve("tollgate.yaml"), config("first"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String config(String upstream) {
    return """
        listener: { address: 127.0.0.1, port: 18080 }
        upstreams:
          - { name: %s, url: "http://127.0.0.1:9" }
        routes:
          - { name: default, match: { pathPrefix: / }, upstream: %s }
        """
        .formatted(upstream, upstream);
  }
}
