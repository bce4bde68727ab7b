package io.tollgate.controlplane.stats;

import io.tollgate.controlplane.ControlPlaneSettings;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The one background thread of the statistics: every second it seals ended buckets (and mirrors
 * them into metrics), every five seconds it writes completed minutes, every hour it deletes rows
 * past retention. A slow or dead database stalls only this thread, never ingestion. Stops after the
 * gRPC server (lower phase) and then writes everything still in memory, the open minute included:
 * upserts are additive, so the rest of that minute simply adds to it later.
 */
@Component
class StatsScheduler implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(StatsScheduler.class);

  private final LiveStats live;
  private final StatsStore store;
  private final StatsMeters meters;
  private final ControlPlaneSettings.Stats settings;
  private final Clock clock;
  private volatile ScheduledExecutorService executor;
  private boolean failing;

  StatsScheduler(
      LiveStats live, StatsStore store, StatsMeters meters, ControlPlaneSettings settings) {
    this.live = live;
    this.store = store;
    this.meters = meters;
    this.settings = settings.stats();
    this.clock = Clock.systemUTC();
  }

  @Override
  public void start() {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "stats-scheduler");
              t.setDaemon(true);
              return t;
            });
    executor.scheduleWithFixedDelay(guard(this::tick), 1, 1, TimeUnit.SECONDS);
    executor.scheduleWithFixedDelay(guard(this::flush), 5, 5, TimeUnit.SECONDS);
    executor.scheduleWithFixedDelay(guard(this::enforceRetention), 0, 1, TimeUnit.HOURS);
  }

  @Override
  public void stop() {
    ScheduledExecutorService e = executor;
    if (e == null) {
      return;
    }
    executor = null;
    e.shutdown();
    try {
      e.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
    }
    meters.mirror(live.tick(true));
    flush();
    int left = live.pendingMinutes();
    if (left > 0) {
      log.error("stopping with {} minute(s) of statistics not written", left);
    }
  }

  @Override
  public boolean isRunning() {
    return executor != null;
  }

  /** Stops after the gRPC server (whose phase is the default), so no entry arrives after. */
  @Override
  public int getPhase() {
    return DEFAULT_PHASE - 1;
  }

  private void tick() {
    meters.mirror(live.tick(false));
  }

  private void flush() {
    LiveStats.FlushResult r = live.flush(store::addMinute);
    if (r.dropped() > 0) {
      meters.dropped(r);
      log.warn(
          "dropped {} minute(s) of statistics ({} requests): database unreachable",
          r.dropped(),
          r.droppedRequests());
    }
    if (r.failure() != null) {
      meters.flushFailed();
      if (!failing) {
        log.warn("cannot write statistics, keeping them in memory: {}", r.failure().toString());
      }
      failing = true;
    } else if (failing) {
      log.info("statistics written again");
      failing = false;
    }
  }

  private void enforceRetention() {
    long now = clock.millis() / 1000;
    int minutes =
        store.deleteBefore(StatsStore.MINUTE, now - settings.minuteRetention().toSeconds());
    int hours = store.deleteBefore(StatsStore.HOUR, now - settings.hourRetention().toSeconds());
    if (minutes + hours > 0) {
      log.info("retention: deleted {} minute and {} hour rows", minutes, hours);
    }
  }

  private static Runnable guard(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("statistics task failed", e);
      }
    };
  }
}
