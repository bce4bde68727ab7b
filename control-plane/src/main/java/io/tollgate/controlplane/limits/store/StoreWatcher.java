package io.tollgate.controlplane.limits.store;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Runs a store's {@link VersionPoller}: at start, after each local commit (the subclass listens for
 * its store's commit event, after commit, and calls {@link #committed()}) and every poll interval.
 * For stores whose changes are rare, so there is nothing to coalesce (the limit rules coalesce).
 *
 * @param <S> the entries read at one version
 */
public abstract class StoreWatcher<S> {

  private final VersionPoller<S> poller;

  protected StoreWatcher(VersionPoller<S> poller) {
    this.poller = poller;
  }

  @EventListener(ApplicationReadyEvent.class)
  public void onReady() {
    poller.refresh();
  }

  /** What the subclass's after-commit listener does: the write returns once it is in force. */
  protected final void committed() {
    poller.refresh();
  }

  @Scheduled(fixedDelayString = "${tollgate.limits.poll-interval:1s}")
  public void poll() {
    poller.poll();
  }
}
