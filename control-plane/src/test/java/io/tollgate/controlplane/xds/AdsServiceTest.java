package io.tollgate.controlplane.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tollgate.controlplane.xds.XdsNodeStatus.State;
import io.tollgate.controlplane.xds.translate.EnvoyNames;
import io.tollgate.controlplane.xds.translate.Translator;
import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ADS service over a real loopback gRPC connection: a client playing Envoy (and one playing a
 * rate-limit service) ACKs and NACKs, and the registry, the metrics and the responses follow.
 */
class AdsServiceTest {

  private static final Duration QUIET = Duration.ofMillis(400);

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final XdsNodeRegistry nodes = new XdsNodeRegistry(meters);
  private final SimpleCache<String> cache = new SimpleCache<>(new AllNodesGroup());
  private final RateLimitConfigFeed feed = new RateLimitConfigFeed();
  private final SnapshotPublisher publisher =
      new SnapshotPublisher(
          new Translator(List.of()), cache, feed, "/ca.pem", meters, Clock.systemUTC());
  private Server server;

  @BeforeEach
  void startServer() throws Exception {
    AdsService ads =
        new AdsService(
            new V3DiscoveryServer(cache).getAggregatedDiscoveryServiceImpl(), feed, nodes);
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ads)
            .build()
            .start();
  }

  @AfterEach
  void stopServer() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void ackThenNackIsTrackedCountedAndTheRejectedVersionIsNotResent() throws Exception {
    publisher.gatewayChanged(TestGateways.oneUpstream("one"));
    try (AdsClient envoy = new AdsClient(server.getPort(), "envoy-1")) {
      envoy.subscribe(XdsTypeUrls.CLUSTER);
      DiscoveryResponse first = envoy.next(XdsTypeUrls.CLUSTER);
      assertThat(first.getVersionInfo()).isEqualTo(typeVersion(XdsTypeUrls.CLUSTER));
      assertThat(first.getResources(0).unpack(Cluster.class).getName()).isEqualTo("one");
      envoy.ack(first);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> ackedVersion("envoy-1", XdsTypeUrls.CLUSTER), first.getVersionInfo()::equals);

      publisher.gatewayChanged(TestGateways.oneUpstream("two"));
      DiscoveryResponse second = envoy.next(XdsTypeUrls.CLUSTER);
      assertThat(second.getVersionInfo()).isNotEqualTo(first.getVersionInfo());
      envoy.nack(second, first.getVersionInfo(), "Invalid path: /nope.pem");

      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> {
                XdsNodeStatus node = nodes.nodes().get(0);
                assertThat(node.lastNack().message()).isEqualTo("Invalid path: /nope.pem");
                assertThat(node.lastNack().version()).isEqualTo(second.getVersionInfo());
              });
      assertThat(ackedVersion("envoy-1", XdsTypeUrls.CLUSTER)).isEqualTo(first.getVersionInfo());
      assertThat(meters.counter("tollgate.xds.nacks", "type_url", XdsTypeUrls.CLUSTER).count())
          .isEqualTo(1);
      envoy.expectNothingFor(QUIET);

      publisher.gatewayChanged(TestGateways.oneUpstream("three"));
      DiscoveryResponse third = envoy.next(XdsTypeUrls.CLUSTER);
      assertThat(third.getResources(0).unpack(Cluster.class).getName()).isEqualTo("three");
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> nodes.nodes().get(0).state(), State.DISCONNECTED::equals);
  }

  @Test
  void aNackedRouteConfigIsNotResentUntilItsVersionChanges() throws Exception {
    publisher.gatewayChanged(TestGateways.oneUpstream("one"));
    try (AdsClient envoy = new AdsClient(server.getPort(), "envoy-1")) {
      envoy.subscribe(XdsTypeUrls.ROUTE, EnvoyNames.ROUTE_CONFIGURATION);
      DiscoveryResponse rejected = envoy.next(XdsTypeUrls.ROUTE);
      envoy.nack(rejected, "", "RE2 program size of 1016 > max program size of 100");
      envoy.expectNothingFor(QUIET);

      publisher.gatewayChanged(TestGateways.oneUpstream("two"));
      DiscoveryResponse next = envoy.next(XdsTypeUrls.ROUTE);
      assertThat(next.getVersionInfo()).isNotEqualTo(rejected.getVersionInfo());
      envoy.expectNothingFor(QUIET);
    }
  }

  @Test
  void aStreamThatSwitchesNodeIdIsRefused() throws Exception {
    publisher.gatewayChanged(TestGateways.oneUpstream("one"));
    try (AdsClient client = new AdsClient(server.getPort(), "envoy-1")) {
      client.subscribe(XdsTypeUrls.CLUSTER);
      client.ack(client.next(XdsTypeUrls.CLUSTER));
      client.subscribeAs("envoy-2", XdsTypeUrls.ROUTE);

      io.grpc.Status end = client.awaitEnd();
      assertThat(end.getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
      assertThat(end.getDescription()).contains("envoy-1").contains("envoy-2");
    }
    assertThat(nodes.nodes()).extracting(XdsNodeStatus::id).containsExactly("envoy-1");
  }

  @Test
  void aForgedNackForAnotherStreamsNodeIdChangesNothingItReports() throws Exception {
    publisher.gatewayChanged(TestGateways.oneUpstream("one"));
    try (AdsClient envoy = new AdsClient(server.getPort(), "envoy-1")) {
      envoy.subscribe(XdsTypeUrls.CLUSTER);
      DiscoveryResponse accepted = envoy.next(XdsTypeUrls.CLUSTER);
      envoy.ack(accepted);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> ackedVersion("envoy-1", XdsTypeUrls.CLUSTER),
              accepted.getVersionInfo()::equals);

      try (AdsClient rogue = new AdsClient(server.getPort(), "envoy-1")) {
        rogue.subscribe(XdsTypeUrls.CLUSTER);
        rogue.nack(rogue.next(XdsTypeUrls.CLUSTER), "", "forged");
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> nodes.nodes().stream().anyMatch(n -> n.lastNack() != null));
        assertThat(nodes.nodes())
            .filteredOn(n -> !n.duplicate())
            .singleElement()
            .satisfies(n -> assertThat(n.lastNack()).isNull());
        assertThat(nodes.nodes())
            .filteredOn(XdsNodeStatus::duplicate)
            .singleElement()
            .satisfies(n -> assertThat(n.lastNack().message()).isEqualTo("forged"));
      }
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(nodes.nodes())
                      .singleElement()
                      .satisfies(
                          n -> {
                            assertThat(n.state()).isEqualTo(State.CONNECTED);
                            assertThat(n.lastNack()).isNull();
                            assertThat(n.duplicate()).isFalse();
                          }));
      assertThat(ackedVersion("envoy-1", XdsTypeUrls.CLUSTER)).isEqualTo(accepted.getVersionInfo());
    }
  }

  @Test
  void routesAreServedByName() throws Exception {
    publisher.gatewayChanged(TestGateways.oneUpstream("one"));
    try (AdsClient envoy = new AdsClient(server.getPort(), "envoy-1")) {
      envoy.subscribe(XdsTypeUrls.ROUTE, EnvoyNames.ROUTE_CONFIGURATION);
      DiscoveryResponse routes = envoy.next(XdsTypeUrls.ROUTE);
      assertThat(routes.getVersionInfo()).isEqualTo(typeVersion(XdsTypeUrls.ROUTE));
      assertThat(routes.getResourcesCount()).isEqualTo(1);
    }
  }

  @Test
  void rateLimitConfigsAreServedOnTheSameStreamAsEnvoyTypes() throws Exception {
    publisher.gatewayChanged(TestGateways.oneUpstream("one"));
    feed.publish("r1", List.of(config("tollgate")));
    try (AdsClient client = new AdsClient(server.getPort(), "ratelimit-1")) {
      client.subscribe(XdsTypeUrls.RATE_LIMIT_CONFIG);
      DiscoveryResponse first = client.next(XdsTypeUrls.RATE_LIMIT_CONFIG);
      assertThat(first.getVersionInfo()).isEqualTo("r1");
      assertThat(first.getResources(0).unpack(RateLimitConfig.class)).isEqualTo(config("tollgate"));
      client.ack(first);

      client.subscribe(XdsTypeUrls.CLUSTER);
      assertThat(client.next(XdsTypeUrls.CLUSTER).getResourcesCount()).isEqualTo(1);

      feed.publish("r2", List.of(config("other"), config("tollgate")));
      DiscoveryResponse second = client.next(XdsTypeUrls.RATE_LIMIT_CONFIG);
      assertThat(second.getVersionInfo()).isEqualTo("r2");
      assertThat(second.getResourcesList())
          .extracting(a -> a.unpack(RateLimitConfig.class).getName())
          .containsExactly("other", "tollgate");

      client.nack(second, "r1", "bad descriptor");
      client.expectNothingFor(QUIET);
      assertThat(
              meters
                  .counter("tollgate.xds.nacks", "type_url", XdsTypeUrls.RATE_LIMIT_CONFIG)
                  .count())
          .isEqualTo(1);
      assertThat(ackedVersion("ratelimit-1", XdsTypeUrls.RATE_LIMIT_CONFIG)).isEqualTo("r1");

      feed.publish("r3", List.of());
      assertThat(client.next(XdsTypeUrls.RATE_LIMIT_CONFIG).getVersionInfo()).isEqualTo("r3");
    }
  }

  @Test
  void aClientThatReconnectsWithTheCurrentVersionStillGetsTheConfig() throws Exception {
    feed.publish("r1", List.of(config("tollgate")));
    try (AdsClient client = new AdsClient(server.getPort(), "ratelimit-1")) {
      client.subscribe(XdsTypeUrls.RATE_LIMIT_CONFIG);
      client.ack(client.next(XdsTypeUrls.RATE_LIMIT_CONFIG));
    }
    try (AdsClient again = new AdsClient(server.getPort(), "ratelimit-1")) {
      again.subscribe(XdsTypeUrls.RATE_LIMIT_CONFIG);
      assertThat(again.next(XdsTypeUrls.RATE_LIMIT_CONFIG).getResourcesCount()).isEqualTo(1);
    }
  }

  @Test
  void anEnvoyThatReconnectsClaimingTheCurrentVersionGetsTheWholeSnapshotAgain() throws Exception {
    publisher.gatewayChanged(TestGateways.oneUpstream("one"));
    String current = typeVersion(XdsTypeUrls.CLUSTER);
    try (AdsClient envoy = new AdsClient(server.getPort(), "envoy-1")) {
      envoy.resume(XdsTypeUrls.CLUSTER, current);
      DiscoveryResponse resent = envoy.next(XdsTypeUrls.CLUSTER);
      assertThat(resent.getVersionInfo()).isEqualTo(current);
      assertThat(resent.getResources(0).unpack(Cluster.class).getName()).isEqualTo("one");
    }
  }

  @Test
  void rateLimitConfigsCanBeRequestedByName() throws Exception {
    feed.publish("r1", List.of(config("a"), config("b")));
    try (AdsClient client = new AdsClient(server.getPort(), "ratelimit-1")) {
      client.subscribe(XdsTypeUrls.RATE_LIMIT_CONFIG, "b");
      assertThat(client.next(XdsTypeUrls.RATE_LIMIT_CONFIG).getResourcesList())
          .extracting(a -> a.unpack(RateLimitConfig.class).getName())
          .containsExactly("b");
    }
  }

  private String typeVersion(String typeUrl) {
    return publisher.current().orElseThrow().typeVersions().get(typeUrl);
  }

  private String ackedVersion(String nodeId, String typeUrl) {
    return nodes.nodes().stream()
        .filter(n -> n.id().equals(nodeId))
        .flatMap(n -> n.types().stream())
        .filter(t -> t.typeUrl().equals(typeUrl))
        .map(XdsNodeStatus.TypeStatus::ackedVersion)
        .filter(v -> v != null)
        .findFirst()
        .orElse("");
  }

  private static RateLimitConfig config(String name) {
    return RateLimitConfig.newBuilder().setName(name).setDomain("tollgate").build();
  }
}
