package io.tollgate.controlplane.access.store;

import io.tollgate.controlplane.xds.SnapshotPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Puts the REST access entries into the xDS snapshot: right after each commit here (the write
 * returns once Envoy's configuration is rebuilt), and when polling the version every second finds a
 * change another replica committed. Entries change rarely, so there is nothing to coalesce.
 */
@Component
class AccessRulesWatcher {

  private static final Logger log = LoggerFactory.getLogger(AccessRulesWatcher.class);

  private final AccessRuleService service;
  private final AccessVersion versions;
  private final SnapshotPublisher snapshots;
  private long published = -1;

  AccessRulesWatcher(
      AccessRuleService service, AccessVersion versions, SnapshotPublisher snapshots) {
    this.service = service;
    this.versions = versions;
    this.snapshots = snapshots;
  }

  @EventListener(ApplicationReadyEvent.class)
  void onReady() {
    refreshLogged();
  }

  @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
  void onCommit(AccessRuleService.Committed committed) {
    refreshLogged();
  }

  @Scheduled(fixedDelayString = "${tollgate.limits.poll-interval:1s}")
  void poll() {
    try {
      if (versions.current() != published()) {
        refresh();
      }
    } catch (RuntimeException e) {
      // The database may be briefly down: keep serving the last good entries.
      log.warn("cannot poll the access rules version: {}", e.toString());
    }
  }

  private void refreshLogged() {
    try {
      refresh();
    } catch (RuntimeException e) {
      log.warn("cannot load the access rules: {}", e.toString());
    }
  }

  private synchronized long published() {
    return published;
  }

  private synchronized void refresh() {
    AccessRuleService.RestEntries entries = service.rest();
    if (entries.version() == published) {
      return;
    }
    snapshots.update(in -> in.withAccess(entries.rules()));
    published = entries.version();
    log.info("access rules version {} ({} REST entries)", published, entries.rules().size());
  }
}
