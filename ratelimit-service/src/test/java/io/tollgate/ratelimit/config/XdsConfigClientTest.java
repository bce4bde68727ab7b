package io.tollgate.ratelimit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import io.tollgate.protos.ratelimit.config.v3.RateLimitDescriptor;
import io.tollgate.protos.ratelimit.config.v3.RateLimitPolicy;
import io.tollgate.protos.ratelimit.config.v3.RateLimitUnit;
import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.ratelimit.stats.ServiceStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The xDS client against a small ADS server in this test (Tollgate's control plane serves the same
 * resource type on its ADS stream; this stand-in lets the client be tested on its own): it
 * subscribes with the reference's type URL and node id, ACKs a good configuration, NACKs a bad one
 * with the reason while keeping the last good, and reconnects after the server goes away.
 */
class XdsConfigClientTest {

  private final BlockingQueue<DiscoveryRequest> requests = new LinkedBlockingQueue<>();
  private final AtomicReference<StreamObserver<DiscoveryResponse>> stream = new AtomicReference<>();
  private Server server;
  private XdsConfigClient client;
  private final ServiceStats stats = new ServiceStats();
  private final ActiveConfig active = new ActiveConfig(stats);

  private void startServer(int port) throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(
                new AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase() {
                  @Override
                  public StreamObserver<DiscoveryRequest> streamAggregatedResources(
                      StreamObserver<DiscoveryResponse> responses) {
                    stream.set(responses);
                    return new StreamObserver<>() {
                      @Override
                      public void onNext(DiscoveryRequest r) {
                        requests.add(r);
                      }

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {
                        responses.onCompleted();
                      }
                    };
                  }
                })
            .build()
            .start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * While the server is down: a listener on its port that resets every connection, until the client
   * has tried {@code attempts} times (each is a failed attempt: no HTTP/2 server answers). Reset,
   * not closed, so no TIME_WAIT holds the port the server binds next.
   */
  private static void awaitConnectionAttempts(int port, int attempts) throws IOException {
    AtomicInteger seen = new AtomicInteger();
    try (ServerSocket listener = new ServerSocket()) {
      listener.setReuseAddress(true);
      listener.bind(new InetSocketAddress("127.0.0.1", port));
      Thread resetter =
          new Thread(
              () -> {
                while (!listener.isClosed()) {
                  try (Socket s = listener.accept()) {
                    s.setSoLinger(true, 0);
                    seen.incrementAndGet();
                  } catch (IOException e) {
                    return; // closed
                  }
                }
              },
              "reset-connections");
      resetter.setDaemon(true);
      resetter.start();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> seen.get() >= attempts);
    }
  }

  private void startClient(int port) {
    startClient(
        port,
        Map.of(
            "XDS_CLIENT_BACKOFF_INITIAL_INTERVAL", "100ms",
            "XDS_CLIENT_BACKOFF_MAX_INTERVAL", "200ms"));
  }

  private void startClient(int port, Map<String, String> backoff) {
    Map<String, String> env = new HashMap<>(backoff);
    env.put("CONFIG_GRPC_XDS_SERVER_URL", "127.0.0.1:" + port);
    env.put("CONFIG_GRPC_XDS_NODE_ID", "rls-1");
    env.put("CONFIG_GRPC_XDS_NODE_METADATA", "zone=a");
    Settings.Xds xds = Settings.fromEnv(env).xds();
    client = new XdsConfigClient(xds, new XdsConfigMapper(), new ConfigCompiler(false), active);
    client.start();
  }

  private static RateLimitConfig config(String name, String domain, int requests) {
    return RateLimitConfig.newBuilder()
        .setName(name)
        .setDomain(domain)
        .addDescriptors(
            RateLimitDescriptor.newBuilder()
                .setKey("generic_key")
                .setValue("default")
                .setRateLimit(
                    RateLimitPolicy.newBuilder()
                        .setUnit(RateLimitUnit.MINUTE)
                        .setRequestsPerUnit(requests)
                        .setName("default")))
        .build();
  }

  private void push(String version, String nonce, RateLimitConfig... configs) {
    DiscoveryResponse.Builder r =
        DiscoveryResponse.newBuilder()
            .setTypeUrl(XdsConfigClient.TYPE_URL)
            .setVersionInfo(version)
            .setNonce(nonce);
    for (RateLimitConfig c : configs) {
      r.addResources(Any.pack(c, "type.googleapis.com"));
    }
    stream.get().onNext(r.build());
  }

  private DiscoveryRequest next() throws InterruptedException {
    DiscoveryRequest r = requests.poll(5, TimeUnit.SECONDS);
    assertThat(r).as("a DiscoveryRequest within 5 s").isNotNull();
    return r;
  }

  @Test
  void subscribesAcksNacksAndKeepsTheLastGoodConfiguration() throws Exception {
    startServer(0);
    startClient(server.getPort());

    DiscoveryRequest subscribe = next();
    assertThat(subscribe.getTypeUrl())
        .isEqualTo("type.googleapis.com/ratelimit.config.ratelimit.v3.RateLimitConfig");
    assertThat(subscribe.getNode().getId()).isEqualTo("rls-1");
    assertThat(subscribe.getNode().getMetadata().getFieldsOrThrow("zone").getStringValue())
        .isEqualTo("a");
    assertThat(subscribe.getVersionInfo()).isEmpty();

    push("v1", "n1", config("tollgate", "tollgate", 10));
    DiscoveryRequest ack = next();
    assertThat(ack.getResponseNonce()).isEqualTo("n1");
    assertThat(ack.getVersionInfo()).isEqualTo("v1");
    assertThat(ack.hasErrorDetail()).isFalse();
    assertThat(active.current().dump()).contains("requests_per_unit=10");

    // Two resources for one domain without MERGE_DOMAIN_CONFIG: the reference refuses it.
    push("v2", "n2", config("a", "tollgate", 1), config("b", "tollgate", 2));
    DiscoveryRequest nack = next();
    assertThat(nack.getResponseNonce()).isEqualTo("n2");
    assertThat(nack.getVersionInfo()).isEqualTo("v1");
    assertThat(nack.getErrorDetail().getMessage())
        .isEqualTo("b: duplicate domain 'tollgate' in config file");
    assertThat(active.current().dump()).contains("requests_per_unit=10");
    assertThat(stats.configLoadError()).isEqualTo(1);

    push("v3", "n3", config("tollgate", "tollgate", 30));
    assertThat(next().getVersionInfo()).isEqualTo("v3");
    assertThat(active.current().dump()).contains("requests_per_unit=30");
    assertThat(stats.configLoadSuccess()).isEqualTo(2);
  }

  @Test
  void reconnectsWithBackoffAndKeepsTheConfigurationMeanwhile() throws Exception {
    startServer(0);
    int port = server.getPort();
    startClient(port);
    next();
    push("v1", "n1", config("tollgate", "tollgate", 10));
    next();

    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    // The client saw the stream break and is trying again; the configuration stays meanwhile.
    awaitConnectionAttempts(port, 2);
    assertThat(active.current().dump()).contains("requests_per_unit=10");

    startServer(port);
    DiscoveryRequest again = next();
    assertThat(again.getTypeUrl()).isEqualTo(XdsConfigClient.TYPE_URL);
    push("v2", "n1", config("tollgate", "tollgate", 20));
    assertThat(next().getVersionInfo()).isEqualTo("v2");
    assertThat(active.current().dump()).contains("requests_per_unit=20");
  }

  @Test
  void withTheDefaultBackoffARestartedServerIsReachedWithinTwoSeconds() throws Exception {
    startServer(0);
    int port = server.getPort();
    startClient(port, Map.of());
    next();
    push("v1", "n1", config("tollgate", "tollgate", 10));
    next();

    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    // Several failed attempts (100, 200, 400 ms, then the 500 ms cap): the backoff is at its
    // maximum.
    awaitConnectionAttempts(port, 5);
    requests.clear();
    startServer(port);
    long ready = System.nanoTime();
    DiscoveryRequest again = requests.poll(5, TimeUnit.SECONDS);
    assertThat(again).as("a DiscoveryRequest after the restart").isNotNull();
    assertThat(Duration.ofNanos(System.nanoTime() - ready)).isLessThan(Duration.ofSeconds(2));
  }
}
