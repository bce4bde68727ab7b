package io.tollgate.controlplane.limits.store;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Runs a task at most once per interval however often it is requested, and never starves a request:
 * a request when the last run started at least an interval ago runs at once, any other is served by
 * one run at the end of the interval (requests meanwhile join it), so a request waits at most the
 * interval plus one run. Runs never overlap when the {@link Scheduler} runs one task at a time.
 * Used so a burst of rule writes costs one snapshot build and push per interval instead of one per
 * write.
 */
final class Coalescer {

  /** Runs a task after a delay. */
  @FunctionalInterface
  interface Scheduler {
    void schedule(Runnable task, Duration delay);
  }

  private final Runnable task;
  private final long intervalNanos;
  private final Scheduler scheduler;
  private final LongSupplier nanoTime;
  private boolean pending;
  private boolean ranOnce;
  private long nextAllowed;

  /**
   * @param nanoTime a monotonic clock ({@link System#nanoTime} outside tests)
   */
  Coalescer(Runnable task, Duration interval, Scheduler scheduler, LongSupplier nanoTime) {
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval must not be negative: " + interval);
    }
    this.task = task;
    this.intervalNanos = interval.toNanos();
    this.scheduler = scheduler;
    this.nanoTime = nanoTime;
  }

  /** Asks for a run that starts after this call. */
  synchronized void request() {
    if (pending) {
      return; // the scheduled run has not started, so it will see this request's state
    }
    pending = true;
    long wait = ranOnce ? Math.max(0, nextAllowed - nanoTime.getAsLong()) : 0;
    scheduler.schedule(this::run, Duration.ofNanos(wait));
  }

  private void run() {
    long start;
    synchronized (this) {
      pending = false;
      ranOnce = true;
      start = nanoTime.getAsLong();
      nextAllowed = start + intervalNanos;
    }
    try {
      task.run();
    } finally {
      synchronized (this) {
        long end = nanoTime.getAsLong();
        nextAllowed = Math.max(start + intervalNanos, end + (end - start));
      }
    }
  }
}
