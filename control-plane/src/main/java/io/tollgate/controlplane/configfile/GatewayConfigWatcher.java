package io.tollgate.controlplane.configfile;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Loads {@code tollgate.yaml} at startup (an invalid file stops the start: there is no last good
 * config yet) and then watches it. The parent directory is watched rather than the file, so editors
 * that write a new file and rename it over the old one, and Kubernetes' symlink swaps of mounted
 * ConfigMaps, are seen too. Events are debounced; unchanged content is ignored. A file that does
 * not parse or validate is logged with every problem and counted, and the last good configuration
 * stays in force. A valid file is applied as parse, translate (a dry run), commit (its limit rules
 * to the database), publish: one that does not translate, or whose rules the database refuses,
 * leaves the last good file and its rules in force, each with its own message.
 */
public class GatewayConfigWatcher implements SmartLifecycle {

  static final Duration DEBOUNCE = Duration.ofMillis(150);
  private static final Duration REWATCH_INTERVAL = Duration.ofSeconds(1);
  private static final Logger log = LoggerFactory.getLogger(GatewayConfigWatcher.class);

  private final Path file;
  private final GatewayConfigParser parser;
  private final GatewayConfigListener listener;
  private final Counter loaded;
  private final Counter rejected;
  private volatile WatchService watchService;
  private volatile Thread thread;
  private String lastSeen;

  public GatewayConfigWatcher(
      Path file, GatewayConfigParser parser, GatewayConfigListener listener, MeterRegistry meters) {
    this.file = file.toAbsolutePath().normalize();
    this.parser = parser;
    this.listener = listener;
    this.loaded = loads(meters, "success");
    this.rejected = loads(meters, "error");
  }

  private static Counter loads(MeterRegistry meters, String result) {
    return Counter.builder("tollgate.config.loads")
        .description("attempts to load tollgate.yaml, by result")
        .tag("result", result)
        .register(meters);
  }

  @Override
  public void start() {
    String text;
    try {
      text = Files.readString(file);
      watchService = file.getFileSystem().newWatchService();
      register();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    Outcome outcome = apply(text);
    if (outcome != Outcome.APPLIED) {
      stop();
      throw new IllegalStateException(outcome.startError + " " + file + ", see the log above");
    }
    Thread t = new Thread(this::watch, "tollgate-config-watcher");
    t.setDaemon(true);
    thread = t;
    t.start();
    log.info("watching {} for changes", file);
  }

  @Override
  public void stop() {
    Thread t = thread;
    thread = null;
    try {
      if (watchService != null) {
        watchService.close();
      }
      if (t != null) {
        t.interrupt();
        t.join(TimeUnit.SECONDS.toMillis(5));
      }
    } catch (IOException e) {
      log.debug("closing the watch service", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return thread != null;
  }

  /** Before the gRPC server (default phase), so the first snapshot is there for the first node. */
  @Override
  public int getPhase() {
    return DEFAULT_PHASE - 1000;
  }

  private void watch() {
    try {
      while (thread != null) {
        WatchKey key = watchService.take();
        boolean valid = drain(key);
        // Debounce: an editor's save is often several events (truncate, write, rename).
        while ((key = watchService.poll(DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS)) != null) {
          valid &= drain(key);
        }
        if (!valid) {
          rewatch();
        }
        reload();
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // stopping
    }
  }

  private static boolean drain(WatchKey key) {
    key.pollEvents();
    return key.reset();
  }

  /** The directory itself went away (or was replaced): watch it again once it is back. */
  private void rewatch() throws InterruptedException {
    while (thread != null) {
      try {
        register();
        return;
      } catch (IOException e) {
        log.warn("cannot watch {} ({}); retrying", file.getParent(), e.toString());
        Thread.sleep(REWATCH_INTERVAL.toMillis());
      }
    }
  }

  private void register() throws IOException {
    file.getParent()
        .register(
            watchService,
            StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
  }

  private void reload() {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      // Mid-replace the file may be briefly absent; the rename's own event triggers a reload.
      log.debug("cannot read {} now: {}", file, e.toString());
      return;
    }
    if (!text.equals(lastSeen)) {
      apply(text);
    }
  }

  /** How applying a file ended; what the start-up error says when it did not. */
  private enum Outcome {
    APPLIED(""),
    INVALID("invalid configuration"),
    UNTRANSLATABLE("configuration that does not translate to Envoy resources"),
    DATABASE_FAILED("cannot store the limit rules in the database for"),
    NOT_APPLIED("cannot apply");

    final String startError;

    Outcome(String startError) {
      this.startError = startError;
    }
  }

  private Outcome apply(String text) {
    lastSeen = text;
    GatewayConfig config;
    try {
      config = parser.parse(file.toString(), text);
    } catch (InvalidConfigException e) {
      rejected.increment();
      log.error(
          "rejected {}; the last good configuration stays in force:\n  {}",
          file,
          String.join("\n  ", e.problems()));
      return Outcome.INVALID;
    }
    try {
      listener.check(config);
    } catch (RuntimeException e) {
      rejected.increment();
      log.error(
          "rejected {}: it does not translate to Envoy resources; the last good configuration"
              + " and its rules stay in force",
          file,
          e);
      return Outcome.UNTRANSLATABLE;
    }
    try {
      listener.gatewayChanged(config);
    } catch (GatewayConfigListener.RuleStoreException e) {
      rejected.increment();
      log.error(
          "could not apply {}: the database refused its limit rules ({}); the file is valid, the"
              + " last good configuration stays in force until the database is back and the file"
              + " is saved again",
          file,
          e.getCause() == null ? e.getMessage() : e.getCause().toString());
      return Outcome.DATABASE_FAILED;
    } catch (RuntimeException e) {
      rejected.increment();
      log.error("could not apply {}; the last good configuration stays in force", file, e);
      return Outcome.NOT_APPLIED;
    }
    loaded.increment();
    log.info("loaded {}", file);
    return Outcome.APPLIED;
  }
}
