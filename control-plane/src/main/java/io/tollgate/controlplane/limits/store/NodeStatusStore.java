package io.tollgate.controlplane.limits.store;

import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The {@code xds_node_status} table: what every control-plane replica last recorded of the xDS
 * clients it serves. Each replica writes only its own rows, so a plain update-or-insert cannot
 * race.
 */
@Repository
public class NodeStatusStore {

  /**
   * One node as one replica saw it.
   *
   * @param ackedVersion the version it acknowledged of the type carrying the rules (routes for an
   *     Envoy, RateLimitConfig for a rate-limit service); null if none yet
   * @param ackedRulesVersion the rules version that carries; null if unknown
   * @param lastRejection its last NACK of that type; null if none
   */
  public record Row(
      String nodeId,
      String replica,
      String kind,
      String cluster,
      boolean connected,
      Instant lastSeen,
      String ackedVersion,
      Long ackedRulesVersion,
      Instant ackedAt,
      String lastRejection) {}

  private final JdbcTemplate jdbc;

  NodeStatusStore(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Replaces {@code replica}'s rows by {@code rows}: rows it no longer lists become disconnected;
   * for each connected node, rows of other replicas that are no longer live ({@code liveSince}) are
   * dropped, since the node has moved; rows unseen since {@code forgetBefore} go.
   */
  @Transactional
  public void replace(String replica, List<Row> rows, Instant liveSince, Instant forgetBefore) {
    jdbc.update("UPDATE xds_node_status SET connected = false WHERE replica = ?", replica);
    for (Row r : rows) {
      Object[] values = {
        r.kind(),
        r.cluster(),
        r.connected(),
        r.lastSeen().toEpochMilli(),
        r.ackedVersion(),
        r.ackedRulesVersion(),
        r.ackedAt() == null ? null : r.ackedAt().toEpochMilli(),
        r.lastRejection(),
        r.nodeId(),
        r.replica()
      };
      int updated =
          jdbc.update(
              "UPDATE xds_node_status SET kind = ?, cluster = ?, connected = ?, last_seen = ?,"
                  + " acked_version = ?, acked_rules_version = ?, acked_at = ?, last_rejection = ?"
                  + " WHERE node_id = ? AND replica = ?",
              values);
      if (updated == 0) {
        jdbc.update(
            "INSERT INTO xds_node_status (kind, cluster, connected, last_seen, acked_version,"
                + " acked_rules_version, acked_at, last_rejection, node_id, replica)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values);
      }
      if (r.connected()) {
        jdbc.update(
            "DELETE FROM xds_node_status WHERE node_id = ? AND replica <> ?"
                + " AND (connected = false OR last_seen < ?)",
            r.nodeId(),
            replica,
            liveSince.toEpochMilli());
      }
    }
    jdbc.update("DELETE FROM xds_node_status WHERE last_seen < ?", forgetBefore.toEpochMilli());
  }

  /** Every row, by node id then replica. */
  public List<Row> all() {
    return jdbc.query(
        "SELECT * FROM xds_node_status ORDER BY node_id, replica",
        (rs, i) ->
            new Row(
                rs.getString("node_id"),
                rs.getString("replica"),
                rs.getString("kind"),
                rs.getString("cluster"),
                rs.getBoolean("connected"),
                Instant.ofEpochMilli(rs.getLong("last_seen")),
                rs.getString("acked_version"),
                rs.getObject("acked_rules_version", Long.class),
                rs.getObject("acked_at") == null
                    ? null
                    : Instant.ofEpochMilli(rs.getLong("acked_at")),
                rs.getString("last_rejection")));
  }
}
