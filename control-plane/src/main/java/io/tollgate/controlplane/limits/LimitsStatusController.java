package io.tollgate.controlplane.limits;

import io.swagger.v3.oas.annotations.Operation;
import io.tollgate.controlplane.xds.XdsNodeRegistry;
import io.tollgate.controlplane.xds.XdsNodeStatus;
import io.tollgate.controlplane.xds.XdsTypeUrls;
import java.time.Instant;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/limits/status}: whether a change has reached the fleet. Envoys carry the rules
 * in their routes (RDS), rate-limit services in their RateLimitConfig; both are ADS nodes, and the
 * version each acknowledged tells which rules version it runs.
 */
@RestController
class LimitsStatusController {

  private final LimitRulesWatcher watcher;
  private final LimitsPublisher publisher;
  private final XdsNodeRegistry nodes;

  LimitsStatusController(
      LimitRulesWatcher watcher, LimitsPublisher publisher, XdsNodeRegistry nodes) {
    this.watcher = watcher;
    this.publisher = publisher;
    this.nodes = nodes;
  }

  /**
   * @param rulesVersion the newest rules version in the database (as this replica last saw it)
   * @param publishedRulesVersion the rules version in the snapshot this replica serves
   * @param nodes every known xDS client
   */
  record Status(long rulesVersion, long publishedRulesVersion, List<NodeRules> nodes) {}

  /**
   * @param id node id
   * @param kind {@code envoy} or {@code ratelimit}
   * @param connected whether its stream is open
   * @param appliedRulesVersion the rules version it acknowledged; null if unknown or none yet
   * @param appliedAt when it acknowledged that
   * @param upToDate whether that is the published rules version
   * @param lastRejection its last NACK of this type, if any
   */
  record NodeRules(
      String id,
      String kind,
      boolean connected,
      Long appliedRulesVersion,
      Instant appliedAt,
      boolean upToDate,
      String lastRejection) {}

  @GetMapping(path = "/api/v1/limits/status", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Per Envoy and rate-limit service: the rules version applied, and when")
  Status status() {
    long published = publisher.publishedRulesVersion();
    List<NodeRules> out =
        nodes.nodes().stream()
            .map(node -> rulesOf(node, published))
            .filter(n -> n != null)
            .toList();
    return new Status(watcher.current().version(), published, out);
  }

  private NodeRules rulesOf(XdsNodeStatus node, long published) {
    XdsNodeStatus.TypeStatus type = type(node, XdsTypeUrls.RATE_LIMIT_CONFIG);
    String kind = "ratelimit";
    if (type == null) {
      type = type(node, XdsTypeUrls.ROUTE);
      kind = "envoy";
    }
    if (type == null) {
      return null;
    }
    Long applied = publisher.rulesVersionOf(type.typeUrl(), type.ackedVersion()).orElse(null);
    return new NodeRules(
        node.id(),
        kind,
        node.state() == XdsNodeStatus.State.CONNECTED,
        applied,
        type.ackedAt(),
        applied != null && applied == published,
        type.lastNack() == null ? null : type.lastNack().message());
  }

  private static XdsNodeStatus.TypeStatus type(XdsNodeStatus node, String typeUrl) {
    return node.types().stream().filter(t -> t.typeUrl().equals(typeUrl)).findFirst().orElse(null);
  }
}
