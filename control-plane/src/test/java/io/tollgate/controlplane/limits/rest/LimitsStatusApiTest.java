package io.tollgate.controlplane.limits.rest;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.tollgate.controlplane.xds.LimitsPublisher;
import io.tollgate.controlplane.xds.SnapshotPublisher;
import io.tollgate.controlplane.xds.XdsNodeRegistry;
import io.tollgate.controlplane.xds.XdsTypeUrls;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.MockMvc;

/**
 * {@code GET /api/v1/limits/status} from the database: this replica's nodes as its registry saw
 * them, and the rows other replicas (alive or gone) wrote into the same table.
 */
@SpringBootTest(
    properties = {
      "spring.datasource.url=jdbc:h2:mem:limits-status;DB_CLOSE_DELAY=-1",
      "tollgate.xds.port=0",
      "tollgate.config=src/test/resources/golden/http-mock.in.yaml"
    })
@AutoConfigureMockMvc
class LimitsStatusApiTest {

  private static final long STREAM = 1_000_000;

  @Autowired MockMvc mvc;
  @Autowired JdbcTemplate jdbc;
  @Autowired XdsNodeRegistry registry;
  @Autowired SnapshotPublisher snapshots;
  @Autowired LimitsPublisher limits;

  @BeforeEach
  void empty() {
    jdbc.update("DELETE FROM xds_node_status");
  }

  @Test
  void listsTheNodesOfEveryReplicaMarkingTheGoneAndTheBehindAsStale() throws Exception {
    long published = limits.publishedRulesVersion();
    long now = Instant.now().toEpochMilli();
    insert("envoy-b", "replica-b:18000", "envoy", now, published);
    insert("ratelimit-old", "replica-c:18000", "ratelimit", now - 60_000, published);
    insert("envoy-behind", "replica-b:18000", "envoy", now, published - 1);

    mvc.perform(get("/api/v1/limits/status"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.nodes.length()").value(3))
        .andExpect(jsonPath("$.nodes[?(@.id=='envoy-b')].replica").value("replica-b:18000"))
        .andExpect(jsonPath("$.nodes[?(@.id=='envoy-b')].connected").value(true))
        .andExpect(jsonPath("$.nodes[?(@.id=='envoy-b')].stale").value(false))
        .andExpect(jsonPath("$.nodes[?(@.id=='ratelimit-old')].connected").value(false))
        .andExpect(jsonPath("$.nodes[?(@.id=='ratelimit-old')].stale").value(true))
        .andExpect(jsonPath("$.nodes[?(@.id=='envoy-behind')].upToDate").value(false))
        .andExpect(jsonPath("$.nodes[?(@.id=='envoy-behind')].stale").value(true));
  }

  @Test
  void aNodeOfThisReplicaIsRecordedAndStaysListedAsStaleAfterItLeaves() throws Exception {
    String routes = snapshots.current().orElseThrow().typeVersions().get(XdsTypeUrls.ROUTE);
    DiscoveryRequest subscribe =
        DiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId("envoy-here"))
            .setTypeUrl(XdsTypeUrls.ROUTE)
            .build();
    registry.onStreamOpen(STREAM, "");
    registry.onV3StreamRequest(STREAM, subscribe);
    registry.onV3StreamResponse(
        STREAM,
        subscribe,
        DiscoveryResponse.newBuilder()
            .setTypeUrl(XdsTypeUrls.ROUTE)
            .setVersionInfo(routes)
            .setNonce("0")
            .build());
    registry.onV3StreamRequest(
        STREAM, subscribe.toBuilder().setVersionInfo(routes).setResponseNonce("0").build());

    mvc.perform(get("/api/v1/limits/status"))
        .andExpect(jsonPath("$.nodes[?(@.id=='envoy-here')].kind").value("envoy"))
        .andExpect(jsonPath("$.nodes[?(@.id=='envoy-here')].connected").value(true))
        .andExpect(jsonPath("$.nodes[?(@.id=='envoy-here')].upToDate").value(true))
        .andExpect(jsonPath("$.nodes[?(@.id=='envoy-here')].stale").value(false));

    registry.onStreamClose(STREAM, "");
    mvc.perform(get("/api/v1/limits/status"))
        .andExpect(jsonPath("$.nodes[?(@.id=='envoy-here')].connected").value(false))
        .andExpect(jsonPath("$.nodes[?(@.id=='envoy-here')].stale").value(true));
    org.assertj.core.api.Assertions.assertThat(
            jdbc.queryForObject(
                "SELECT count(*) FROM xds_node_status WHERE node_id = 'envoy-here'", Integer.class))
        .isEqualTo(1);
  }

  private void insert(String node, String replica, String kind, long lastSeen, long rules) {
    jdbc.update(
        "INSERT INTO xds_node_status (node_id, replica, kind, cluster, connected, last_seen,"
            + " acked_version, acked_rules_version, acked_at) VALUES (?, ?, ?, '', true, ?, 'v', ?, ?)",
        node,
        replica,
        kind,
        lastSeen,
        rules,
        lastSeen - Duration.ofSeconds(1).toMillis());
  }
}
