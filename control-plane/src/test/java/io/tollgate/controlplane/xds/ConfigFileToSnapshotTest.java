package io.tollgate.controlplane.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tollgate.controlplane.configfile.GatewayConfigParser;
import io.tollgate.controlplane.configfile.GatewayConfigWatcher;
import io.tollgate.controlplane.xds.translate.Translator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole edit path short of the network: file written, snapshot replaced within 2 s. */
class ConfigFileToSnapshotTest {

  @TempDir Path dir;

  @Test
  void anEditedFileBecomesANewSnapshotWithinTwoSeconds() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    SimpleCache<String> cache = new SimpleCache<>(new AllNodesGroup());
    SnapshotPublisher publisher =
        new SnapshotPublisher(
            new Translator(List.of()),
            cache,
            new RateLimitConfigFeed(),
            "/ca.pem",
            meters,
            Clock.systemUTC());
    Path file = Files.writeString(dir.resolve("tollgate.yaml"), config("/"));
    GatewayConfigWatcher watcher =
        new GatewayConfigWatcher(file, new GatewayConfigParser(), publisher, meters);
    watcher.start();
    try {
      String before = cache.getSnapshot(AllNodesGroup.GROUP).routes().version();

      Files.writeString(file, config("/items/"));

      await()
          .atMost(Duration.ofSeconds(2))
          .until(() -> !cache.getSnapshot(AllNodesGroup.GROUP).routes().version().equals(before));
      var routes = cache.getSnapshot(AllNodesGroup.GROUP).routes().resources().values();
      assertThat(routes)
          .singleElement()
          .satisfies(r -> assertThat(r.getVirtualHosts(0).getRoutesCount()).isEqualTo(2));
    } finally {
      watcher.stop();
    }
  }

  private static String config(String extraPrefix) {
    String extra =
        extraPrefix.equals("/")
            ? ""
            : "  - { name: extra, match: { pathPrefix: %s }, upstream: mock }\n"
                .formatted(extraPrefix);
    return """
        upstreams:
          - { name: mock, url: "http://127.0.0.1:8088" }
        routes:
        %s  - { name: default, match: { pathPrefix: / }, upstream: mock }
        """
        .formatted(extra);
  }
}
