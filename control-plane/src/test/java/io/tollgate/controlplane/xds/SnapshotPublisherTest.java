package io.tollgate.controlplane.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tollgate.controlplane.xds.translate.Translator;
import io.tollgate.controlplane.xds.translate.TranslatorExtension;
import io.tollgate.controlplane.xds.translate.TranslatorInput;
import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotPublisherTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final SimpleCache<String> cache = new SimpleCache<>(new AllNodesGroup());
  private final RateLimitConfigFeed feed = new RateLimitConfigFeed();

  /** Derives one rate-limit config from the CA file, so a test can change it via the input. */
  private final TranslatorExtension limits =
      new TranslatorExtension() {
        @Override
        public List<RateLimitConfig> rateLimitConfigs(TranslatorInput input) {
          if (input.systemCaFile().equals("/poison")) {
            throw new IllegalArgumentException("cannot translate");
          }
          return List.of(RateLimitConfig.newBuilder().setName(input.systemCaFile()).build());
        }
      };

  private final SnapshotPublisher publisher =
      new SnapshotPublisher(
          new Translator(List.of(limits)), cache, feed, "/ca.pem", meters, Clock.systemUTC());

  @Test
  void publishesForEveryNodeWithContentDerivedVersions() throws Exception {
    publisher.gatewayChanged(TestGateways.oneUpstream("one"));

    PublishedSnapshot first = publisher.current().orElseThrow();
    var snapshot = cache.getSnapshot(AllNodesGroup.GROUP);
    assertThat(snapshot.clusters().version())
        .isEqualTo(first.typeVersions().get(XdsTypeUrls.CLUSTER));
    assertThat(snapshot.listeners().resources()).containsKey("tollgate_http");
    assertThat(feed.current().version())
        .isEqualTo(first.typeVersions().get(XdsTypeUrls.RATE_LIMIT_CONFIG));
    assertThat(feed.current().configs())
        .extracting(RateLimitConfig::getName)
        .containsExactly("/ca.pem");

    SnapshotPublisher replica =
        new SnapshotPublisher(
            new Translator(List.of(limits)),
            new SimpleCache<>(new AllNodesGroup()),
            new RateLimitConfigFeed(),
            "/ca.pem",
            new SimpleMeterRegistry(),
            Clock.systemUTC());
    replica.gatewayChanged(TestGateways.oneUpstream("one"));
    assertThat(replica.current().orElseThrow().version()).isEqualTo(first.version());
  }

  @Test
  void unchangedContentIsNotRepublished() throws Exception {
    publisher.gatewayChanged(TestGateways.oneUpstream("one"));
    publisher.gatewayChanged(TestGateways.oneUpstream("one"));

    assertThat(meters.counter("tollgate.xds.snapshot.updates").count()).isEqualTo(1);

    publisher.gatewayChanged(TestGateways.oneUpstream("two"));
    assertThat(meters.counter("tollgate.xds.snapshot.updates").count()).isEqualTo(2);
    assertThat(meters.find("tollgate.xds.snapshot.info").gauges())
        .singleElement()
        .satisfies(
            g ->
                assertThat(g.getId().getTag("version"))
                    .isEqualTo(publisher.current().orElseThrow().version()));
  }

  @Test
  void onlyTheChangedTypeGetsANewVersion() throws Exception {
    publisher.gatewayChanged(TestGateways.oneUpstream("one"));
    var before = publisher.current().orElseThrow().typeVersions();

    publisher.update(in -> in.withSystemCaFile("/other.pem"));

    var after = publisher.current().orElseThrow().typeVersions();
    assertThat(after.get(XdsTypeUrls.LISTENER)).isEqualTo(before.get(XdsTypeUrls.LISTENER));
    assertThat(after.get(XdsTypeUrls.ROUTE)).isEqualTo(before.get(XdsTypeUrls.ROUTE));
    assertThat(after.get(XdsTypeUrls.RATE_LIMIT_CONFIG))
        .isNotEqualTo(before.get(XdsTypeUrls.RATE_LIMIT_CONFIG));
  }

  @Test
  void nothingIsPublishedBeforeTheGatewayConfigButUpdatesAreKept() throws Exception {
    publisher.update(in -> in.withSystemCaFile("/early.pem"));

    assertThat(publisher.current()).isEmpty();
    assertThat(cache.getSnapshot(AllNodesGroup.GROUP)).isNull();

    publisher.gatewayChanged(TestGateways.oneUpstream("one"));
    assertThat(feed.current().configs())
        .extracting(RateLimitConfig::getName)
        .containsExactly("/early.pem");
  }

  @Test
  void aChangeThatFailsToTranslateChangesNothing() throws Exception {
    publisher.gatewayChanged(TestGateways.oneUpstream("one"));
    PublishedSnapshot before = publisher.current().orElseThrow();

    assertThatThrownBy(() -> publisher.update(in -> in.withSystemCaFile("/poison")))
        .hasMessage("cannot translate");

    assertThat(publisher.current()).containsSame(before);
    publisher.gatewayChanged(TestGateways.oneUpstream("two"));
    assertThat(feed.current().configs())
        .extracting(RateLimitConfig::getName)
        .containsExactly("/ca.pem");
  }
}
