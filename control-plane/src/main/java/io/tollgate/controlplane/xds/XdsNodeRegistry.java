package io.tollgate.controlplane.xds;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.controlplane.xds.XdsNodeStatus.Nack;
import io.tollgate.controlplane.xds.XdsNodeStatus.State;
import io.tollgate.controlplane.xds.XdsNodeStatus.TypeStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Tracks every xDS client from its stream events: which versions each stream's node accepted (ACK)
 * or rejected (NACK, logged with the client's error detail and counted), and whether it is
 * connected. State is kept per stream, and a stream's node id is fixed by its first request: a
 * later request on it claiming another id is refused ({@code INVALID_ARGUMENT}), and a second
 * stream claiming an id already connected is shown apart, marked duplicate, so it can never change
 * what the first one reports. When the last stream of a node id ends, its state stays shown as
 * disconnected for {@link #RETENTION} (at most {@link #MAX_NODES} such nodes); ids and messages are
 * truncated. A NACK changes nothing in the cache: the client keeps its last accepted config.
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
  private final Map<Long, StreamState> streams = new TreeMap<>();
  private final Map<String, StreamState> disconnected = new HashMap<>();
  private long changes;

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
    streams.put(streamId, new StreamState(streamId));
  }

  @Override
  public synchronized void onV3StreamRequest(long streamId, DiscoveryRequest request)
      throws RequestException {
    StreamState stream = streams.computeIfAbsent(streamId, StreamState::new);
    if (request.hasNode()) {
      bind(stream, request.getNode());
    }
    if (stream.nodeId == null) {
      return;
    }
    String typeUrl = request.getTypeUrl();
    ResponseWriter.Sent sent = stream.sent.get(typeUrl);
    boolean answersLastResponse = sent != null && sent.nonce().equals(request.getResponseNonce());
    if (request.hasErrorDetail()) {
      String rejected = answersLastResponse ? sent.version() : "unknown";
      String message = truncate(request.getErrorDetail().getMessage(), MAX_MESSAGE_LENGTH);
      Nack nack = new Nack(typeUrl, rejected, message, clock.instant());
      stream.lastNack = nack;
      TypeState type = stream.type(typeUrl);
      if (type != null) {
        type.lastNack = nack;
      }
      changes++;
      nackCounter(typeUrl).increment();
      log.warn(
          "xDS NACK from node '{}' (stream {}) for {} version {}: {} (it keeps its last accepted"
              + " config)",
          stream.nodeId,
          streamId,
          typeUrl,
          rejected,
          message);
      for (XdsNackListener listener : nackListeners) {
        listener.nacked(stream.nodeId, typeUrl, rejected, request.getVersionInfo(), message);
      }
    } else if (accepts(request, sent, answersLastResponse)) {
      TypeState type = stream.type(typeUrl);
      if (type != null) {
        type.ackedVersion = request.getVersionInfo();
        type.ackedAt = clock.instant();
        changes++;
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
    if (stream.nodeId != null) {
      TypeState type = stream.type(typeUrl);
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

  /**
   * Every known node, sorted by id: one entry per open stream (a node id claimed by several open
   * streams is shown once per stream, all but the first marked duplicate), and the last state of
   * each node id without an open stream.
   */
  public synchronized List<XdsNodeStatus> nodes() {
    Map<String, Long> open =
        streams.values().stream()
            .filter(s -> s.nodeId != null)
            .collect(Collectors.groupingBy(s -> s.nodeId, Collectors.counting()));
    Set<String> seen = new HashSet<>();
    List<XdsNodeStatus> out = new ArrayList<>();
    for (StreamState s : streams.values()) {
      if (s.nodeId != null) {
        out.add(s.status(open.get(s.nodeId).intValue(), !seen.add(s.nodeId)));
      }
    }
    disconnected.values().forEach(s -> out.add(s.status(0, false)));
    out.sort(Comparator.comparing(XdsNodeStatus::id));
    return out;
  }

  /**
   * Counts what changed a node's state (a node attached, an ACK, a NACK, a stream closed), so a
   * reader can tell cheaply whether anything is new since it last looked.
   */
  public synchronized long changes() {
    return changes;
  }

  /** Forgets nodes disconnected for longer than {@link #RETENTION}. */
  @Scheduled(fixedDelay = 60_000)
  public synchronized void forgetLongDisconnected() {
    Instant cutoff = clock.instant().minus(RETENTION);
    disconnected.values().removeIf(s -> s.disconnectedAt.isBefore(cutoff));
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

  /**
   * Fixes the stream's node by its first request that names one. Envoy sends the same node on every
   * request (or only the first); a different id is another client speaking on this stream.
   */
  private void bind(StreamState stream, Node node) throws RequestException {
    String id = truncate(node.getId(), MAX_ID_LENGTH);
    if (stream.nodeId == null) {
      stream.nodeId = id;
      stream.cluster = truncate(node.getCluster(), MAX_ID_LENGTH);
      stream.connectedSince = clock.instant();
      disconnected.remove(id);
      changes++;
    } else if (!stream.nodeId.equals(id)) {
      throw new RequestException(
          Status.INVALID_ARGUMENT.withDescription(
              "this ADS stream belongs to node '%s'; a request on it claimed node '%s'"
                  .formatted(stream.nodeId, id)));
    }
  }

  private void closed(long streamId) {
    StreamState stream = streams.remove(streamId);
    if (stream == null || stream.nodeId == null) {
      return;
    }
    changes++;
    boolean stillOpen = streams.values().stream().anyMatch(s -> stream.nodeId.equals(s.nodeId));
    if (!stillOpen) {
      stream.disconnectedAt = clock.instant();
      if (disconnected.size() >= MAX_NODES) {
        evictOldestDisconnected();
      }
      disconnected.put(stream.nodeId, stream);
    }
  }

  private void evictOldestDisconnected() {
    disconnected.values().stream()
        .min(Comparator.comparing(s -> s.disconnectedAt))
        .ifPresent(s -> disconnected.remove(s.nodeId));
  }

  private synchronized double connectedNodes() {
    return streams.values().stream().map(s -> s.nodeId).filter(id -> id != null).distinct().count();
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

  /** What one stream's node reported; the node id is null until its first request names it. */
  private static final class StreamState {
    private final long streamId;
    private final Map<String, ResponseWriter.Sent> sent = new HashMap<>();
    private final Map<String, TypeState> types = new TreeMap<>();
    private String nodeId;
    private String cluster = "";
    private Instant connectedSince;
    private Instant disconnectedAt;
    private Nack lastNack;

    StreamState(long streamId) {
      this.streamId = streamId;
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

    XdsNodeStatus status(int openStreams, boolean duplicate) {
      return new XdsNodeStatus(
          nodeId,
          cluster,
          disconnectedAt == null ? State.CONNECTED : State.DISCONNECTED,
          openStreams,
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
          lastNack,
          streamId,
          duplicate);
    }
  }

  private static final class TypeState {
    private String sentVersion;
    private String ackedVersion;
    private Instant ackedAt;
    private Nack lastNack;
  }
}
