package io.tollgate.controlplane.xds;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.controlplane.xds.XdsNodeStatus.Nack;
import io.tollgate.controlplane.xds.XdsNodeStatus.State;
import io.tollgate.controlplane.xds.XdsNodeStatus.TypeStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Tracks every xDS client from its stream events: which versions each node accepted (ACK) or
 * rejected (NACK, logged with the client's error detail and counted), and whether it is connected.
 * A NACK changes nothing in the cache: the client keeps its last accepted config and the next
 * snapshot is offered normally. Memory is bounded: disconnected nodes are forgotten after {@link
 * #RETENTION}, at most {@link #MAX_NODES} are tracked, ids and messages are truncated.
 */
@Component
public class XdsNodeRegistry implements DiscoveryServerCallbacks {

  static final Duration RETENTION = Duration.ofMinutes(10);
  static final int MAX_NODES = 10_000;
  private static final int MAX_TYPES_PER_NODE = 16;
  private static final int MAX_ID_LENGTH = 256;
  private static final int MAX_MESSAGE_LENGTH = 2048;
  private static final String OTHER_TYPE = "other";

  private static final Logger log = LoggerFactory.getLogger(XdsNodeRegistry.class);

  private final Clock clock;
  private final MeterRegistry meters;
  private final List<XdsNackListener> nackListeners;
  private final Map<Long, StreamState> streams = new HashMap<>();
  private final Map<String, NodeState> nodes = new HashMap<>();

  @Autowired
  public XdsNodeRegistry(MeterRegistry meters, List<XdsNackListener> nackListeners) {
    this(meters, Clock.systemUTC(), nackListeners);
  }

  public XdsNodeRegistry(MeterRegistry meters) {
    this(meters, List.of());
  }

  XdsNodeRegistry(MeterRegistry meters, Clock clock) {
    this(meters, clock, List.of());
  }

  XdsNodeRegistry(MeterRegistry meters, Clock clock, List<XdsNackListener> nackListeners) {
    this.meters = meters;
    this.clock = clock;
    this.nackListeners = List.copyOf(nackListeners);
    Gauge.builder("tollgate.xds.nodes.connected", this, XdsNodeRegistry::connectedNodes)
        .description("xDS clients (Envoys, rate-limit services) with an open ADS stream")
        .register(meters);
    List.of(
            XdsTypeUrls.LISTENER,
            XdsTypeUrls.ROUTE,
            XdsTypeUrls.CLUSTER,
            XdsTypeUrls.RATE_LIMIT_CONFIG)
        .forEach(this::nackCounter);
  }

  @Override
  public synchronized void onStreamOpen(long streamId, String typeUrl) {
    streams.put(streamId, new StreamState());
  }

  @Override
  public synchronized void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    StreamState stream = streams.computeIfAbsent(streamId, id -> new StreamState());
    if (stream.node == null && request.hasNode()) {
      stream.node = attach(request.getNode());
    }
    NodeState node = stream.node;
    if (node == null) {
      return;
    }
    String typeUrl = request.getTypeUrl();
    ResponseWriter.Sent sent = stream.sent.get(typeUrl);
    boolean answersLastResponse = sent != null && sent.nonce().equals(request.getResponseNonce());
    if (request.hasErrorDetail()) {
      String rejected = answersLastResponse ? sent.version() : "unknown";
      String message = truncate(request.getErrorDetail().getMessage(), MAX_MESSAGE_LENGTH);
      Nack nack = new Nack(typeUrl, rejected, message, clock.instant());
      node.lastNack = nack;
      TypeState type = node.type(typeUrl);
      if (type != null) {
        type.lastNack = nack;
      }
      nackCounter(typeUrl).increment();
      log.warn(
          "xDS NACK from node '{}' for {} version {}: {} (it keeps its last accepted config)",
          node.id,
          typeUrl,
          rejected,
          message);
      for (XdsNackListener listener : nackListeners) {
        listener.nacked(node.id, typeUrl, rejected, request.getVersionInfo(), message);
      }
    } else if (accepts(request, sent, answersLastResponse)) {
      TypeState type = node.type(typeUrl);
      if (type != null) {
        type.ackedVersion = request.getVersionInfo();
        type.ackedAt = clock.instant();
      }
    }
  }

  @Override
  public synchronized void onV3StreamResponse(
      long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    StreamState stream = streams.get(streamId);
    if (stream == null) {
      return;
    }
    String typeUrl = response.getTypeUrl();
    stream.sent.put(
        typeUrl, new ResponseWriter.Sent(response.getNonce(), response.getVersionInfo()));
    if (stream.node != null) {
      TypeState type = stream.node.type(typeUrl);
      if (type != null) {
        type.sentVersion = response.getVersionInfo();
      }
    }
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    // Delta streams bypass AdsService's tracking (Tollgate's clients use state of the world).
  }

  @Override
  public synchronized void onStreamClose(long streamId, String typeUrl) {
    closed(streamId);
  }

  @Override
  public synchronized void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    closed(streamId);
  }

  /** Every known node, sorted by id. */
  public synchronized List<XdsNodeStatus> nodes() {
    return nodes.values().stream()
        .sorted(Comparator.comparing(n -> n.id))
        .map(NodeState::status)
        .toList();
  }

  /** Forgets nodes disconnected for longer than {@link #RETENTION}. */
  @Scheduled(fixedDelay = 60_000)
  public synchronized void forgetLongDisconnected() {
    Instant cutoff = clock.instant().minus(RETENTION);
    nodes.values().removeIf(n -> n.streams == 0 && n.disconnectedAt.isBefore(cutoff));
  }

  /**
   * An ACK: the request answers the last response and holds its version. Before anything was sent
   * on a stream, a non-empty version_info is what the node already runs (it reconnected, e.g. after
   * a control-plane restart, and may carry the old stream's nonce); when that version is still
   * current nothing is re-sent, so this is the only sign of it.
   */
  private static boolean accepts(
      DiscoveryRequest request, ResponseWriter.Sent sent, boolean answersLastResponse) {
    return sent == null
        ? !request.getVersionInfo().isEmpty()
        : answersLastResponse && sent.version().equals(request.getVersionInfo());
  }

  private NodeState attach(Node node) {
    String id = truncate(node.getId(), MAX_ID_LENGTH);
    NodeState state = nodes.get(id);
    if (state == null) {
      if (nodes.size() >= MAX_NODES && !evictOldestDisconnected()) {
        log.warn("tracking {} xDS nodes already; not tracking '{}'", MAX_NODES, id);
        return null;
      }
      state = new NodeState(id);
      nodes.put(id, state);
    }
    state.cluster = truncate(node.getCluster(), MAX_ID_LENGTH);
    if (state.streams++ == 0) {
      state.connectedSince = clock.instant();
      state.disconnectedAt = null;
    }
    return state;
  }

  private boolean evictOldestDisconnected() {
    return nodes.values().stream()
        .filter(n -> n.streams == 0)
        .min(Comparator.comparing(n -> n.disconnectedAt))
        .map(n -> nodes.remove(n.id))
        .isPresent();
  }

  private void closed(long streamId) {
    StreamState stream = streams.remove(streamId);
    if (stream != null && stream.node != null && --stream.node.streams == 0) {
      stream.node.disconnectedAt = clock.instant();
    }
  }

  private synchronized double connectedNodes() {
    return nodes.values().stream().filter(n -> n.streams > 0).count();
  }

  private Counter nackCounter(String typeUrl) {
    return Counter.builder("tollgate.xds.nacks")
        .description("xDS responses rejected by a client (NACK)")
        .tag("type_url", XdsTypeUrls.isKnown(typeUrl) ? typeUrl : OTHER_TYPE)
        .register(meters);
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  private static final class StreamState {
    private final Map<String, ResponseWriter.Sent> sent = new HashMap<>();
    private NodeState node;
  }

  private static final class NodeState {
    private final String id;
    private final Map<String, TypeState> types = new TreeMap<>();
    private String cluster = "";
    private int streams;
    private Instant connectedSince;
    private Instant disconnectedAt;
    private Nack lastNack;

    NodeState(String id) {
      this.id = id;
    }

    /** The type's state, or null once the node has asked for too many distinct types. */
    TypeState type(String typeUrl) {
      TypeState type = types.get(typeUrl);
      if (type == null && types.size() < MAX_TYPES_PER_NODE) {
        type = new TypeState();
        types.put(typeUrl, type);
      }
      return type;
    }

    XdsNodeStatus status() {
      return new XdsNodeStatus(
          id,
          cluster,
          streams > 0 ? State.CONNECTED : State.DISCONNECTED,
          streams,
          connectedSince,
          disconnectedAt,
          types.entrySet().stream()
              .map(
                  e ->
                      new TypeStatus(
                          e.getKey(),
                          e.getValue().sentVersion,
                          e.getValue().ackedVersion,
                          e.getValue().ackedAt,
                          e.getValue().lastNack))
              .toList(),
          lastNack);
    }
  }

  private static final class TypeState {
    private String sentVersion;
    private String ackedVersion;
    private Instant ackedAt;
    private Nack lastNack;
  }
}
