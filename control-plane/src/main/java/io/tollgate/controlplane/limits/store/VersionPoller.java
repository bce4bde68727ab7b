package io.tollgate.controlplane.limits.store;

import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a store's entries whenever its version moved: called after each local commit and on
 * each poll (which picks up what another replica committed). A failure is logged and the last good
 * entries stay in force; the next poll tries again.
 *
 * @param <S> the entries read at one version
 */
public final class VersionPoller<S> {

  private static final Logger log = LoggerFactory.getLogger(VersionPoller.class);

  private final String what;
  private final LongSupplier currentVersion;
  private final Supplier<S> load;
  private final ToLongFunction<S> versionOf;
  private final Consumer<S> publish;
  private long published = -1;

  /**
   * @param what how the log names the entries ("the REST upstreams and routes")
   * @param currentVersion the store's version now, cheap (it is polled)
   * @param load the entries and their version, read together
   * @param publish puts them into force; throws if it cannot
   */
  public VersionPoller(
      String what,
      LongSupplier currentVersion,
      Supplier<S> load,
      ToLongFunction<S> versionOf,
      Consumer<S> publish) {
    this.what = what;
    this.currentVersion = currentVersion;
    this.load = load;
    this.versionOf = versionOf;
    this.publish = publish;
  }

  /** After a commit (or at start): loads and publishes unless that version is in force. */
  public void refresh() {
    try {
      load();
    } catch (RuntimeException e) {
      log.warn("cannot load {}: {}", what, e.toString());
    }
  }

  /** Publishes when the version moved since the last publish. */
  public void poll() {
    try {
      if (currentVersion.getAsLong() != published()) {
        load();
      }
    } catch (RuntimeException e) {
      // The database may be briefly down: keep serving the last good entries.
      log.warn("cannot poll the version of {}: {}", what, e.toString());
    }
  }

  private synchronized long published() {
    return published;
  }

  private synchronized void load() {
    S entries = load.get();
    long version = versionOf.applyAsLong(entries);
    if (version == published) {
      return;
    }
    publish.accept(entries);
    published = version;
    log.info("{}: version {} in force", what, version);
  }
}
