package io.tollgate.controlplane.xds;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/**
 * What the control plane knows of one xDS client (an Envoy or a rate-limit service), as shown at
 * {@code GET /api/v1/xds/nodes}.
 *
 * @param id the node id the client sent
 * @param cluster the node's cluster (may be empty)
 * @param state whether a stream of this node is open now
 * @param streams open ADS streams of this node id on this replica
 * @param connectedSince when the current connection (or the last one) opened
 * @param disconnectedAt when the last stream closed; null while connected
 * @param types per resource type: versions sent and acknowledged, last rejection
 * @param lastNack the most recent rejection of any type; null if none
 * @param stream this replica's id of the stream the entry describes (the last one, once
 *     disconnected)
 * @param duplicate another open stream claimed this node id first: this entry shows only what this
 *     stream reported (a misconfigured or forged client), never mixed into the first one's
 */
public record XdsNodeStatus(
    String id,
    String cluster,
    State state,
    int streams,
    Instant connectedSince,
    @Schema(
            types = {"string", "null"},
            format = "date-time")
        Instant disconnectedAt,
    List<TypeStatus> types,
    Nack lastNack,
    long stream,
    boolean duplicate) {

  public enum State {
    CONNECTED,
    DISCONNECTED
  }

  /**
   * @param typeUrl the resource type
   * @param sentVersion the last version sent to this node; null before the first
   * @param ackedVersion the last version the node accepted (or, on reconnecting, reported running);
   *     null if none yet
   * @param ackedAt when it accepted it
   * @param lastNack the last rejection of this type; null if none
   */
  public record TypeStatus(
      String typeUrl,
      @Schema(types = {"string", "null"}) String sentVersion,
      @Schema(types = {"string", "null"}) String ackedVersion,
      @Schema(
              types = {"string", "null"},
              format = "date-time")
          Instant ackedAt,
      Nack lastNack) {}

  /**
   * A rejected response (NACK): the node keeps running its previous configuration.
   *
   * @param typeUrl the resource type
   * @param version the version rejected
   * @param message the node's error detail, e.g. Envoy's reason
   * @param at when the rejection arrived
   */
  public record Nack(String typeUrl, String version, String message, Instant at) {}
}
