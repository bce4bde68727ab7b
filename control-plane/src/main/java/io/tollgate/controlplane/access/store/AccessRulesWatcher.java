package io.tollgate.controlplane.access.store;

import io.tollgate.controlplane.limits.store.VersionPoller;
import io.tollgate.controlplane.xds.SnapshotPublisher;
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

  private final VersionPoller<AccessRuleService.RestEntries> poller;

  AccessRulesWatcher(
      AccessRuleService service, AccessVersion versions, SnapshotPublisher snapshots) {
    this.poller =
        new VersionPoller<>(
            "the REST access entries",
            versions::current,
            service::rest,
            AccessRuleService.RestEntries::version,
            entries -> snapshots.update(in -> in.withAccess(entries.rules())));
  }

  @EventListener(ApplicationReadyEvent.class)
  void onReady() {
    poller.refresh();
  }

  @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
  void onCommit(AccessRuleService.Committed committed) {
    poller.refresh();
  }

  @Scheduled(fixedDelayString = "${tollgate.limits.poll-interval:1s}")
  void poll() {
    poller.poll();
  }
}
