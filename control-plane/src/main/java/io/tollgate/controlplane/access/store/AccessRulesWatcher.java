package io.tollgate.controlplane.access.store;

import io.tollgate.controlplane.limits.store.StoreWatcher;
import io.tollgate.controlplane.limits.store.VersionPoller;
import io.tollgate.controlplane.xds.SnapshotPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Puts the REST access entries into the xDS snapshot: right after each commit here (the write
 * returns once Envoy's configuration is rebuilt), and when polling the version every second finds a
 * change another replica committed.
 */
@Component
class AccessRulesWatcher extends StoreWatcher<AccessRuleService.RestEntries> {

  AccessRulesWatcher(
      AccessRuleService service, AccessVersion versions, SnapshotPublisher snapshots) {
    super(
        new VersionPoller<>(
            "the REST access entries",
            versions::current,
            service::rest,
            AccessRuleService.RestEntries::version,
            entries -> snapshots.update(in -> in.withAccess(entries.rules()))));
  }

  @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
  void onCommit(AccessRuleService.Committed committed) {
    committed();
  }
}
