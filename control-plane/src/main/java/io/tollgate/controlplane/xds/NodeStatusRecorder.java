package io.tollgate.controlplane.xds;

import io.tollgate.controlplane.ControlPlaneSettings;
import io.tollgate.controlplane.limits.store.NodeStatusStore;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Copies this replica's view of its xDS clients into the database ({@link NodeStatusStore}), so the
 * status API can list every node of every replica, also after a restart. Writes happen off the gRPC
 * threads, coalesced: at most once a second when a node attached, acknowledged, rejected or left
 * (the registry counts those edges), and every {@link #HEARTBEAT} otherwise, which is what tells
 * other replicas this one is alive. A failed write is retried at the next tick.
 */
@Component
public class NodeStatusRecorder {

  static final Duration HEARTBEAT = Duration.ofSeconds(5);

  /** A connected row not refreshed for this long belongs to a replica that is gone. */
  static final Duration LIVENESS = HEARTBEAT.multipliedBy(3);

  private static final Duration FORGET = Duration.ofDays(7);
  private static final Logger log = LoggerFactory.getLogger(NodeStatusRecorder.class);

  private final XdsNodeRegistry nodes;
  private final LimitsPublisher publisher;
  private final NodeStatusStore store;
  private final Clock clock = Clock.systemUTC();
  private final String replica;
  private long writtenChanges = -1;
  private Instant writtenAt = Instant.EPOCH;

  NodeStatusRecorder(
      XdsNodeRegistry nodes,
      LimitsPublisher publisher,
      NodeStatusStore store,
      ControlPlaneSettings settings) {
    this.nodes = nodes;
    this.publisher = publisher;
    this.store = store;
    this.replica = hostName() + ":" + settings.xds().port();
  }

  /** This replica's name in the table: host and gRPC port, the same again after a restart. */
  public String replica() {
    return replica;
  }

  /** Writes this replica's nodes if anything changed or the heartbeat is due. */
  @Scheduled(fixedDelay = 1000)
  public synchronized void flush() {
    long changes = nodes.changes();
    Instant now = clock.instant();
    if (changes == writtenChanges && now.isBefore(writtenAt.plus(HEARTBEAT))) {
      return;
    }
    try {
      store.replace(replica, rows(now), now.minus(LIVENESS), now.minus(FORGET));
      writtenChanges = changes;
      writtenAt = now;
    } catch (DataAccessException e) {
      log.warn("cannot record the xDS node status (retrying in 1 s): {}", e.toString());
    }
  }

  /** Live rows are those refreshed within {@link #LIVENESS} of now. */
  public Instant liveSince() {
    return clock.instant().minus(LIVENESS);
  }

  /**
   * One row per node id: a duplicate stream (another client claiming a connected id) is not
   * recorded; nodes that never asked for the type carrying the rules are left out.
   */
  private List<NodeStatusStore.Row> rows(Instant now) {
    List<NodeStatusStore.Row> rows = new ArrayList<>();
    for (XdsNodeStatus node : nodes.nodes()) {
      XdsNodeStatus.TypeStatus type = type(node, XdsTypeUrls.RATE_LIMIT_CONFIG);
      String kind = "ratelimit";
      if (type == null) {
        type = type(node, XdsTypeUrls.ROUTE);
        kind = "envoy";
      }
      if (node.duplicate() || type == null) {
        continue;
      }
      boolean connected = node.state() == XdsNodeStatus.State.CONNECTED;
      rows.add(
          new NodeStatusStore.Row(
              node.id(),
              replica,
              kind,
              node.cluster(),
              connected,
              connected ? now : node.disconnectedAt(),
              type.ackedVersion(),
              publisher.rulesVersionOf(type.typeUrl(), type.ackedVersion()).orElse(null),
              type.ackedAt(),
              type.lastNack() == null ? null : type.lastNack().message()));
    }
    return rows;
  }

  private static XdsNodeStatus.TypeStatus type(XdsNodeStatus node, String typeUrl) {
    return node.types().stream().filter(t -> t.typeUrl().equals(typeUrl)).findFirst().orElse(null);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
