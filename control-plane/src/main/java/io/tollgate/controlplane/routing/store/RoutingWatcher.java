package io.tollgate.controlplane.routing.store;

import io.tollgate.controlplane.configfile.GatewayConfigEntries;
import io.tollgate.controlplane.limits.store.VersionPoller;
import io.tollgate.controlplane.xds.SnapshotPublisher;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Merges the REST upstreams and routes into the xDS snapshot ({@link SnapshotPublisher#overlay}):
 * right after each commit here (so a write returns once the snapshot holds it), and when polling
 * the version every second finds a change another replica committed. Such changes are rare, so
 * there is nothing to coalesce.
 */
@Component
class RoutingWatcher {

  private final VersionPoller<RestRouting> poller;

  RoutingWatcher(RoutingService service, RoutingVersion versions, SnapshotPublisher snapshots) {
    GatewayConfigEntries entries = new GatewayConfigEntries();
    this.poller =
        new VersionPoller<>(
            "the REST upstreams and routes",
            versions::current,
            service::rest,
            RestRouting::version,
            rest -> snapshots.overlay(file -> rest.over(file, entries)));
  }

  @EventListener(ApplicationReadyEvent.class)
  void onReady() {
    poller.refresh();
  }

  @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
  void onCommit(RoutingService.Committed committed) {
    poller.refresh();
  }

  @Scheduled(fixedDelayString = "${tollgate.limits.poll-interval:1s}")
  void poll() {
    poller.poll();
  }
}
