package io.tollgate.ratelimit.config;

import io.tollgate.referenceconfig.ConfigDocument;
import io.tollgate.referenceconfig.ConfigException;
import io.tollgate.referenceconfig.ReferenceYamlReader;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link ActiveConfig} in step with a configuration directory. It polls rather than relying
 * on file-system events because the usual deployments replace the directory by swapping a symlink
 * (Kubernetes ConfigMaps, the reference's runtime layout), which inotify watches miss; reading a
 * few small files once a second costs nothing measurable. A change is loaded whole: parse every
 * file, compile them together, then swap.
 */
public final class ConfigDirectoryWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigDirectoryWatcher.class);

  private final ConfigDirectory directory;
  private final ReferenceYamlReader reader;
  private final ConfigCompiler compiler;
  private final ActiveConfig active;
  private final ScheduledExecutorService poller;
  private List<ConfigDirectory.ConfigFile> lastSeen;
  private String lastListError;

  public ConfigDirectoryWatcher(
      ConfigDirectory directory,
      ReferenceYamlReader reader,
      ConfigCompiler compiler,
      ActiveConfig active) {
    this.directory = directory;
    this.reader = reader;
    this.compiler = compiler;
    this.active = active;
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "config-watcher");
              t.setDaemon(true);
              return t;
            });
  }

  /** Loads the directory now, then every {@code interval} when its files change. */
  public void start(Duration interval) {
    pollOnce();
    poller.scheduleWithFixedDelay(
        this::pollSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Loads the files if they differ from the last attempt; visible for tests. */
  synchronized void pollOnce() {
    List<ConfigDirectory.ConfigFile> files;
    try {
      files = directory.files();
    } catch (UncheckedIOException e) {
      // Counted once per distinct failure, not once per poll.
      String error = "cannot list the configuration directory: " + e.getCause().getMessage();
      if (!error.equals(lastListError)) {
        lastListError = error;
        lastSeen = null;
        active.reject(new ConfigException(directory.root().toString(), error));
      }
      return;
    }
    lastListError = null;
    if (files.equals(lastSeen)) {
      return;
    }
    lastSeen = files;
    try {
      List<ConfigDocument> documents = files.stream().map(f -> f.parse(reader)).toList();
      documents.forEach(d -> d.warnings().forEach(LOG::warn));
      active.apply(compiler.compile(documents));
    } catch (ConfigException e) {
      active.reject(e);
    }
  }

  private void pollSafely() {
    try {
      pollOnce();
    } catch (RuntimeException e) {
      LOG.error("configuration poll failed", e);
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
