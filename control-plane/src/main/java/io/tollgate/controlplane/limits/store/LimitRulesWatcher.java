package io.tollgate.controlplane.limits.store;

import io.tollgate.controlplane.limits.RuleSet;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Keeps the current {@link RuleSet} and announces each new one as a {@link LimitRulesChanged}
 * event. A change committed here is announced at once; a change committed by another replica
 * sharing the database is seen by polling the rules version every second, well inside the 2 s
 * budget for a change to reach the fleet.
 */
@Component
public class LimitRulesWatcher {

  private static final Logger log = LoggerFactory.getLogger(LimitRulesWatcher.class);

  /** The rule set changed; the xDS snapshot should be rebuilt from it. */
  public record LimitRulesChanged(RuleSet rules) {}

  private final LimitRuleService service;
  private final RulesVersionStore versions;
  private final ApplicationEventPublisher events;
  private final AtomicReference<RuleSet> current = new AtomicReference<>();

  LimitRulesWatcher(
      LimitRuleService service, RulesVersionStore versions, ApplicationEventPublisher events) {
    this.service = service;
    this.versions = versions;
    this.events = events;
  }

  /** The newest rule set this replica has seen (loading it on first use). */
  public RuleSet current() {
    RuleSet set = current.get();
    if (set == null) {
      refresh();
      set = current.get();
    }
    return set;
  }

  @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
  void onCommit(LimitRuleService.Committed committed) {
    refresh();
  }

  @Scheduled(fixedDelayString = "${tollgate.limits.poll-interval:1s}")
  void poll() {
    try {
      RuleSet set = current.get();
      if (set == null || versions.current() != set.version()) {
        refresh();
      }
    } catch (RuntimeException e) {
      // The database may be briefly down: keep serving the last good rule set.
      log.warn("cannot poll the limit rules version: {}", e.toString());
    }
  }

  /** Reloads when the stored version differs from the one held; announces the new set. */
  public synchronized void refresh() {
    RuleSet loaded = service.snapshot();
    RuleSet previous = current.get();
    if (previous != null && previous.version() >= loaded.version()) {
      return;
    }
    current.set(loaded);
    log.info("limit rules version {} ({} rules)", loaded.version(), loaded.rules().size());
    events.publishEvent(new LimitRulesChanged(loaded));
  }
}
