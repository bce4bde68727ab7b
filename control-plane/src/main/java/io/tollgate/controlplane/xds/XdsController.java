package io.tollgate.controlplane.xds;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.tollgate.controlplane.xds.translate.EnvoyResourcesJson;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** What the xDS side serves and how its clients took it. */
@RestController
@RequestMapping("/api/v1/xds")
class XdsController {

  /**
   * @param version hash over all type versions
   * @param typeVersions what a node acknowledges, per type URL
   * @param publishedAt when it was published
   */
  record SnapshotSummary(String version, Map<String, String> typeVersions, Instant publishedAt) {}

  private final XdsNodeRegistry nodes;
  private final SnapshotPublisher publisher;

  XdsController(XdsNodeRegistry nodes, SnapshotPublisher publisher) {
    this.nodes = nodes;
    this.publisher = publisher;
  }

  /**
   * Every xDS client this replica serves or served recently, one entry per stream (a second stream
   * claiming a connected node id is marked duplicate): versions acknowledged, last rejection,
   * connection state. {@code /api/v1/limits/status} has every replica's nodes, from the database.
   */
  @GetMapping("/nodes")
  List<XdsNodeStatus> nodes() {
    return nodes.nodes();
  }

  /** The version of the snapshot served now (404 before the first one). */
  @GetMapping("/snapshot")
  ResponseEntity<SnapshotSummary> snapshot() {
    return ResponseEntity.of(
        publisher
            .current()
            .map(s -> new SnapshotSummary(s.version(), s.typeVersions(), s.publishedAt())));
  }

  /** The served resources in Envoy's JSON form (the golden files' format). */
  @GetMapping(value = "/snapshot/resources", produces = MediaType.APPLICATION_JSON_VALUE)
  @ApiResponse(
      responseCode = "200",
      description = "listeners, clusters, routes, ... as Envoy's JSON",
      content =
          @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(type = "object")))
  ResponseEntity<String> resources() {
    return ResponseEntity.of(publisher.current().map(s -> EnvoyResourcesJson.print(s.resources())));
  }
}
