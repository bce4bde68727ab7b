package io.tollgate.controlplane.limits.store;

import io.tollgate.controlplane.ControlPlaneSettings;
import io.tollgate.controlplane.limits.RuleSet;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * event. A change committed here is announced off the writing thread, coalesced: a burst of writes
 * is loaded and published once per {@code tollgate.limits.publish-interval} (the write returns once
 * committed, before the push). A change committed by another replica sharing the database is seen
 * by polling the rules version every second. Both stay well inside the 2 s budget for a change to
 * reach the fleet. Each load reads the definitions of changed rules only.
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
  private final ScheduledExecutorService publisher =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "limit-rules-publish");
            t.setDaemon(true);
            return t;
          });
  private final Coalescer coalescer;

  LimitRulesWatcher(
      LimitRuleService service,
      RulesVersionStore versions,
      ApplicationEventPublisher events,
      ControlPlaneSettings settings) {
    this.service = service;
    this.versions = versions;
    this.events = events;
    this.coalescer =
        new Coalescer(
            this::refreshLogged,
            settings.limits().publishInterval(),
            (task, delay) -> publisher.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS),
            System::nanoTime);
  }

  @PreDestroy
  void stop() {
    publisher.shutdownNow();
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
    coalescer.request();
  }

  @Scheduled(fixedDelayString = "${tollgate.limits.poll-interval:1s}")
  void poll() {
    try {
      RuleSet set = current.get();
      if (set == null || versions.current() != set.version()) {
        coalescer.request();
      }
    } catch (RuntimeException e) {
      // The database may be briefly down: keep serving the last good rule set.
      log.warn("cannot poll the limit rules version: {}", e.toString());
    }
  }

  private void refreshLogged() {
    try {
      refresh();
    } catch (RuntimeException e) {
      // The database may be briefly down: the next write or poll tries again.
      log.warn("cannot load the limit rules: {}", e.toString());
    }
  }

  /** Reloads when the stored version differs from the one held; announces the new set. */
  public synchronized void refresh() {
    RuleSet previous = current.get();
    RuleSet loaded = service.snapshot(previous == null ? RuleSet.EMPTY : previous);
    if (previous != null && previous.version() >= loaded.version()) {
      return;
    }
    current.set(loaded);
    log.info("limit rules version {} ({} rules)", loaded.version(), loaded.rules().size());
    events.publishEvent(new LimitRulesChanged(loaded));
  }
}
