package io.tollgate.controlplane.routing.store;

import io.tollgate.controlplane.configfile.GatewayConfigEntries;
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
 * Merges the REST upstreams and routes into the xDS snapshot ({@link SnapshotPublisher#overlay}):
 * right after each commit here, and when polling the version every second finds a change another
 * replica committed. Such changes are rare, so there is nothing to coalesce.
 */
@Component
class RoutingWatcher {

  private static final Logger log = LoggerFactory.getLogger(RoutingWatcher.class);

  private final RoutingService service;
  private final RoutingVersion versions;
  private final SnapshotPublisher snapshots;
  private final GatewayConfigEntries entries = new GatewayConfigEntries();
  private long published = -1;

  RoutingWatcher(RoutingService service, RoutingVersion versions, SnapshotPublisher snapshots) {
    this.service = service;
    this.versions = versions;
    this.snapshots = snapshots;
  }

  @EventListener(ApplicationReadyEvent.class)
  void onReady() {
    refreshLogged();
  }

  @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
  void onCommit(RoutingService.Committed committed) {
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
      log.warn("cannot poll the routing version: {}", e.toString());
    }
  }

  private void refreshLogged() {
    try {
      refresh();
    } catch (RuntimeException e) {
      log.warn("cannot load the REST upstreams and routes: {}", e.toString());
    }
  }

  private synchronized long published() {
    return published;
  }

  private synchronized void refresh() {
    RestRouting rest = service.rest();
    if (rest.version() == published) {
      return;
    }
    snapshots.overlay(file -> rest.over(file, entries));
    published = rest.version();
    log.info("routing version {} ({} REST upstreams and routes)", published, rest.byId().size());
  }
}
