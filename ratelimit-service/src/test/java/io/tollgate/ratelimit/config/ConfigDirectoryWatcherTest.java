package io.tollgate.ratelimit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.tollgate.ratelimit.stats.ServiceStats;
import io.tollgate.referenceconfig.ReferenceYamlReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that cannot be loaded count in {@code ratelimit_service_config_load_error}, once each. */
class ConfigDirectoryWatcherTest {

  @TempDir Path dir;

  private final ServiceStats stats = new ServiceStats();
  private final ActiveConfig active = new ActiveConfig(stats);

  private ConfigDirectoryWatcher watcher() {
    return new ConfigDirectoryWatcher(
        new ConfigDirectory(dir, false),
        new ReferenceYamlReader(),
        new ConfigCompiler(false),
        active);
  }

  @Test
  void anUnreadableFileIsALoadErrorAndTheLastGoodConfigurationStays() throws IOException {
    Files.writeString(dir.resolve("a.yaml"), "domain: a\n");
    ConfigDirectoryWatcher watcher = watcher();
    watcher.pollOnce();
    assertThat(stats.configLoadSuccess()).isEqualTo(1);

    Path locked = Files.writeString(dir.resolve("b.yaml"), "domain: b\n");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    assumeFalse(Files.isReadable(locked), "running as root: file permissions do not stop reads");
    watcher.pollOnce();
    watcher.pollOnce();
    assertThat(stats.configLoadError()).isEqualTo(1);
    assertThat(active.current().domains()).containsOnlyKeys("a");
  }

  @Test
  void aFileThatIsNotUtf8IsALoadErrorCountedOnce() throws IOException {
    Files.writeString(dir.resolve("a.yaml"), "domain: a\n");
    ConfigDirectoryWatcher watcher = watcher();
    watcher.pollOnce();
    Files.write(dir.resolve("b.yaml"), "domain: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    watcher.pollOnce();
    watcher.pollOnce();
    assertThat(stats.configLoadError()).isEqualTo(1);
    assertThat(active.current().domains()).containsOnlyKeys("a");
  }
}
