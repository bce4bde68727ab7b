package io.tollgate.controlplane.routing.store;

import io.tollgate.controlplane.configfile.GatewayConfigEntries;
import io.tollgate.controlplane.limits.store.StoreWatcher;
import io.tollgate.controlplane.limits.store.VersionPoller;
import io.tollgate.controlplane.xds.SnapshotPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Merges the REST upstreams and routes into the xDS snapshot ({@link SnapshotPublisher#overlay}):
 * right after each commit here (so a write returns once the snapshot holds it), and when polling
 * the version every second finds a change another replica committed.
 */
@Component
class RoutingWatcher extends StoreWatcher<RestRouting> {

  RoutingWatcher(RoutingService service, RoutingVersion versions, SnapshotPublisher snapshots) {
    super(poller(service, versions, snapshots));
  }

  private static VersionPoller<RestRouting> poller(
      RoutingService service, RoutingVersion versions, SnapshotPublisher snapshots) {
    GatewayConfigEntries entries = new GatewayConfigEntries();
    return new VersionPoller<>(
        "the REST upstreams and routes",
        versions::current,
        service::rest,
        RestRouting::version,
        rest -> snapshots.overlay(file -> rest.over(file, entries)));
  }

  @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
  void onCommit(RoutingService.Committed committed) {
    committed();
  }
}
