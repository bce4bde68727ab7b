package io.tollgate.ratelimit.config;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.referenceconfig.ConfigDocument;
import io.tollgate.referenceconfig.ConfigException;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configuration over xDS, state of the world, as the reference's {@code GRPC_XDS_SOTW} provider
 * gets it: one ADS stream ({@code StreamAggregatedResources}) to {@code CONFIG_GRPC_XDS_SERVER_URL}
 * asking for {@value #TYPE_URL} as node {@code CONFIG_GRPC_XDS_NODE_ID}. Each response carries
 * every resource; it is compiled as a whole and ACKed, or NACKed with the error in {@code
 * error_detail} while the last good configuration stays active. A broken stream is reopened after a
 * bounded exponential backoff ({@link ReconnectBackoff}, {@code XDS_CLIENT_BACKOFF_*}).
 */
public final class XdsConfigClient implements AutoCloseable {

  public static final String TYPE_URL =
      "type.googleapis.com/ratelimit.config.ratelimit.v3.RateLimitConfig";

  private static final Logger LOG = LoggerFactory.getLogger(XdsConfigClient.class);
  private static final int INVALID_ARGUMENT = 3;

  private final Settings.Xds settings;
  private final XdsConfigMapper mapper;
  private final ConfigCompiler compiler;
  private final ActiveConfig active;
  private final ManagedChannel channel;
  private final AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub;
  private final ScheduledExecutorService retries;
  private final Node node;
  private final ReconnectBackoff backoff;
  private volatile boolean closed;

  public XdsConfigClient(
      Settings.Xds settings, XdsConfigMapper mapper, ConfigCompiler compiler, ActiveConfig active) {
    this.settings = settings;
    this.mapper = mapper;
    this.compiler = compiler;
    this.active = active;
    this.backoff = new ReconnectBackoff(settings, () -> ThreadLocalRandom.current().nextDouble());
    ManagedChannelBuilder<?> builder =
        Grpc.newChannelBuilder(settings.serverUrl(), credentials(settings))
            .maxInboundMessageSize(settings.maxMessageBytes());
    if (settings.tls() && !settings.serverSan().isEmpty()) {
      // As the reference's tls.Config.ServerName: the SNI sent and the name the server's
      // certificate must carry, instead of the host in CONFIG_GRPC_XDS_SERVER_URL.
      builder.overrideAuthority(settings.serverSan());
    }
    this.channel = builder.build();
    Metadata headers = new Metadata();
    settings
        .headers()
        .forEach((k, v) -> headers.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
    this.stub =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    Struct.Builder metadata = Struct.newBuilder();
    settings
        .nodeMetadata()
        .forEach((k, v) -> metadata.putFields(k, Value.newBuilder().setStringValue(v).build()));
    this.node =
        Node.newBuilder()
            .setId(settings.nodeId())
            .setMetadata(metadata)
            .setUserAgentName("tollgate-ratelimit")
            .build();
    this.retries =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "xds-reconnect");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * The reference's xDS client TLS: the server verified against {@code
   * CONFIG_GRPC_XDS_SERVER_TLS_CACERT} (the system roots when unset), and a client certificate
   * presented when one is given, for a control plane requiring mutual TLS.
   */
  private static ChannelCredentials credentials(Settings.Xds s) {
    if (!s.tls()) {
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
    if (!s.serverCaCert().isEmpty()) {
      try {
        tls.trustManager(new File(s.serverCaCert()));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(
            "CONFIG_GRPC_XDS_SERVER_TLS_CACERT=" + s.serverCaCert() + ": " + e.getMessage(), e);
      }
    }
    if (!s.clientCert().isEmpty()) {
      try {
        tls.keyManager(new File(s.clientCert()), new File(s.clientKey()));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(
            "CONFIG_GRPC_XDS_CLIENT_TLS_CERT="
                + s.clientCert()
                + ", CONFIG_GRPC_XDS_CLIENT_TLS_KEY="
                + s.clientKey()
                + ": "
                + e.getMessage(),
            e);
      }
    }
    return tls.build();
  }

  public void start() {
    LOG.info("subscribing to {} at {} as node {}", TYPE_URL, settings.serverUrl(), node.getId());
    open();
  }

  private synchronized void open() {
    if (closed) {
      return;
    }
    // Wait-for-ready: the stream starts the moment the channel connects, instead of failing at once
    // while the channel still holds the outage's error. The channel's own connect backoff (growing
    // to 2 min) would pace that connecting; nudge() cuts it short on this client's backoff.
    Stream stream = new Stream();
    stream.requests = stub.withWaitForReady().streamAggregatedResources(stream);
    stream.send("", "", null);
    nudgeLater(stream);
  }

  private void nudgeLater(Stream stream) {
    retries.schedule(() -> nudge(stream), backoff.nextDelay().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Until the stream gets its first response: another connection attempt, now. */
  private synchronized void nudge(Stream stream) {
    if (closed || stream.answered || stream.ended) {
      return;
    }
    if (!stream.waiting) {
      stream.waiting = true;
      LOG.warn(
          "xDS server {} not answering (channel {}); retrying until it does",
          settings.serverUrl(),
          channel.getState(false));
    }
    channel.resetConnectBackoff();
    nudgeLater(stream);
  }

  private synchronized void reopenLater(String why) {
    if (closed) {
      return;
    }
    long delay = backoff.nextDelay().toMillis();
    LOG.warn(
        "xDS stream to {} ended ({}); reconnecting in {} ms", settings.serverUrl(), why, delay);
    retries.schedule(this::open, delay, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    closed = true;
    retries.shutdownNow();
    channel.shutdownNow();
  }

  /** One ADS stream; gRPC delivers its callbacks one at a time. */
  private final class Stream implements StreamObserver<DiscoveryResponse> {
    StreamObserver<DiscoveryRequest> requests;
    volatile boolean answered;
    volatile boolean ended;
    boolean waiting;
    private String acceptedVersion = "";

    void send(String version, String nonce, String error) {
      DiscoveryRequest.Builder r =
          DiscoveryRequest.newBuilder()
              .setNode(node)
              .setTypeUrl(TYPE_URL)
              .setVersionInfo(version)
              .setResponseNonce(nonce);
      if (error != null) {
        r.setErrorDetail(
            com.google.rpc.Status.newBuilder().setCode(INVALID_ARGUMENT).setMessage(error));
      }
      requests.onNext(r.build());
    }

    @Override
    public void onNext(DiscoveryResponse response) {
      if (!answered) {
        answered = true;
        backoff.reset();
      }
      if (!TYPE_URL.equals(response.getTypeUrl())) {
        send(acceptedVersion, response.getNonce(), "unexpected type " + response.getTypeUrl());
        return;
      }
      try {
        List<ConfigDocument> documents = new ArrayList<>(response.getResourcesCount());
        for (Any resource : response.getResourcesList()) {
          documents.add(mapper.toDocument(unpack(resource)));
        }
        active.apply(compiler.compile(documents));
        acceptedVersion = response.getVersionInfo();
        send(acceptedVersion, response.getNonce(), null);
      } catch (ConfigException e) {
        active.reject(e);
        send(acceptedVersion, response.getNonce(), e.getMessage());
      }
    }

    private RateLimitConfig unpack(Any resource) {
      try {
        return resource.unpack(RateLimitConfig.class);
      } catch (InvalidProtocolBufferException e) {
        throw new ConfigException(
            resource.getTypeUrl(), "cannot decode RateLimitConfig: " + e.getMessage());
      }
    }

    @Override
    public void onError(Throwable t) {
      ended = true;
      reopenLater(t.getMessage());
    }

    @Override
    public void onCompleted() {
      ended = true;
      reopenLater("closed by the server");
    }
  }
}
