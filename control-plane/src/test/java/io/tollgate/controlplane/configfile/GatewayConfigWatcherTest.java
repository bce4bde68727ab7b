package io.tollgate.controlplane.configfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigWatcherTest {

  private static final Duration DEADLINE = Duration.ofSeconds(2);

  @TempDir Path dir;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<GatewayConfig> applied = new CopyOnWriteArrayList<>();
  private GatewayConfigWatcher watcher;

  @AfterEach
  void stop() {
    if (watcher != null) {
      watcher.stop();
    }
  }

  @Test
  void anEditReachesTheListenerWithinTwoSeconds() throws Exception {
    Path file = write(config("first"));
    start(file);
    assertThat(applied).extracting(this::upstream).containsExactly("first");

    Files.writeString(file, config("second"));

    await().atMost(DEADLINE).until(() -> applied.size() == 2);
    assertThat(upstream(applied.get(1))).isEqualTo("second");
    assertThat(meters.counter("tollgate.config.loads", "result", "success").count()).isEqualTo(2);
  }

  @Test
  void anEditorThatRenamesANewFileOverTheOldIsSeen() throws Exception {
    Path file = write(config("first"));
    start(file);

    Path tmp = dir.resolve(".tollgate.yaml.swp");
    Files.writeString(tmp, config("renamed"));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    await().atMost(DEADLINE).until(() -> applied.size() == 2);
    assertThat(upstream(applied.get(1))).isEqualTo("renamed");
  }

  @Test
  void anInvalidEditIsCountedAndTheLastGoodConfigStays() throws Exception {
    Path file = write(config("first"));
    start(file);

    Files.writeString(file, config("first").replace("pathPrefix: /", "pathPrefix: nope"));

    await()
        .atMost(DEADLINE)
        .until(() -> meters.counter("tollgate.config.loads", "result", "error").count() == 1);
    assertThat(applied).hasSize(1);

    Files.writeString(file, config("fixed"));
    await().atMost(DEADLINE).until(() -> applied.size() == 2);
    assertThat(upstream(applied.get(1))).isEqualTo("fixed");
  }

  @Test
  void aListenerThatFailsLeavesTheLastGoodConfigAndCountsAnError() throws Exception {
    Path file = write(config("first"));
    watcher =
        new GatewayConfigWatcher(
            file,
            new GatewayConfigParser(),
            c -> {
              if (upstream(c).equals("poison")) {
                throw new IllegalStateException("cannot translate");
              }
              applied.add(c);
            },
            meters);
    watcher.start();

    Files.writeString(file, config("poison"));

    await()
        .atMost(DEADLINE)
        .until(() -> meters.counter("tollgate.config.loads", "result", "error").count() == 1);
    assertThat(applied).extracting(this::upstream).containsExactly("first");
  }

  @Test
  void savingTheSameContentAgainDoesNotReapply() throws Exception {
    Path file = write(config("first"));
    start(file);

    Files.writeString(file, config("first"));
    Files.writeString(dir.resolve("unrelated.txt"), "x");
    Files.writeString(file, config("second"));

    await().atMost(DEADLINE).until(() -> applied.size() >= 2);
    // A later edit instead of a pause: the watcher handles events in order, so once this one is
    // applied, any reapply the saves above caused would be in the list before it.
    Files.writeString(file, config("third"));
    await().atMost(DEADLINE).until(() -> applied.size() >= 3);
    assertThat(applied).extracting(this::upstream).containsExactly("first", "second", "third");
  }

  @Test
  void anInvalidFileAtStartupStopsTheStart() throws Exception {
    Path file = write("routes: [");
    watcher = new GatewayConfigWatcher(file, new GatewayConfigParser(), applied::add, meters);

    assertThatThrownBy(watcher::start).hasMessageContaining("invalid configuration");
    assertThat(watcher.isRunning()).isFalse();
    watcher = null;
  }

  private void start(Path file) {
    watcher = new GatewayConfigWatcher(file, new GatewayConfigParser(), applied::add, meters);
    watcher.start();
  }

  private Path write(String text) throws Exception {
    return Files.writeString(dir.resolve("tollgate.yaml"), text);
  }

  private String upstream(GatewayConfig c) {
    return c.upstreams().get(0).name();
  }

  private static String config(String upstream) {
    return """
        upstreams:
          - { name: %s, url: "http://127.0.0.1:9" }
        routes:
          - { name: default, match: { pathPrefix: / }, upstream: %s }
        """
        .formatted(upstream, upstream);
  }
}
