package io.tollgate.controlplane.limits.rest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.tollgate.controlplane.limits.store.LimitRulesWatcher;
import io.tollgate.controlplane.limits.store.NodeStatusStore;
import io.tollgate.controlplane.xds.LimitsPublisher;
import io.tollgate.controlplane.xds.NodeStatusRecorder;
import java.time.Instant;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/limits/status}: whether a change has reached the fleet. Envoys carry the rules
 * in their routes (RDS), rate-limit services in their RateLimitConfig; both are ADS nodes, and the
 * version each acknowledged tells which rules version it runs. Every node any replica sharing the
 * database recorded is listed, also those connected to another replica or seen before a restart;
 * one not connected now or not on the published rules version is stale.
 */
@RestController
class LimitsStatusController {

  private final LimitRulesWatcher watcher;
  private final LimitsPublisher publisher;
  private final NodeStatusRecorder recorder;
  private final NodeStatusStore store;

  LimitsStatusController(
      LimitRulesWatcher watcher,
      LimitsPublisher publisher,
      NodeStatusRecorder recorder,
      NodeStatusStore store) {
    this.watcher = watcher;
    this.publisher = publisher;
    this.recorder = recorder;
    this.store = store;
  }

  /**
   * @param rulesVersion the newest rules version in the database (as this replica last saw it)
   * @param publishedRulesVersion the rules version in the snapshot this replica serves
   * @param nodes every xDS client known to the database
   */
  record Status(long rulesVersion, long publishedRulesVersion, List<NodeRules> nodes) {}

  /**
   * @param id node id
   * @param kind {@code envoy} or {@code ratelimit}
   * @param replica the control-plane replica (host:gRPC port) it is or was connected to
   * @param connected whether its stream is open (on a replica alive within the last 15 s)
   * @param lastSeen now if connected; else when its stream closed or its replica was last alive
   * @param appliedRulesVersion the rules version it acknowledged; null if unknown or none yet
   * @param appliedAt when it acknowledged that; null with it
   * @param upToDate whether that is the published rules version
   * @param stale not connected, or not up to date
   * @param lastRejection its last NACK of this type, if any
   */
  record NodeRules(
      String id,
      String kind,
      String replica,
      boolean connected,
      Instant lastSeen,
      @Schema(
              types = {"integer", "null"},
              format = "int64")
          Long appliedRulesVersion,
      @Schema(
              types = {"string", "null"},
              format = "date-time")
          Instant appliedAt,
      boolean upToDate,
      boolean stale,
      @Schema(types = {"string", "null"}) String lastRejection) {}

  @GetMapping(path = "/api/v1/limits/status", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Per Envoy and rate-limit service: the rules version applied, and when")
  Status status() {
    // This replica's own latest state first, so its answer never lags its own streams.
    recorder.flush();
    long published = publisher.publishedRulesVersion();
    Instant liveSince = recorder.liveSince();
    List<NodeRules> out =
        store.all().stream().map(row -> rulesOf(row, published, liveSince)).toList();
    return new Status(watcher.current().version(), published, out);
  }

  private static NodeRules rulesOf(NodeStatusStore.Row row, long published, Instant liveSince) {
    boolean connected = row.connected() && !row.lastSeen().isBefore(liveSince);
    Long applied = row.ackedRulesVersion();
    boolean upToDate = applied != null && applied == published;
    return new NodeRules(
        row.nodeId(),
        row.kind(),
        row.replica(),
        connected,
        row.lastSeen(),
        applied,
        row.ackedAt(),
        upToDate,
        !connected || !upToDate,
        row.lastRejection());
  }
}
