package io.tollgate.ratelimit.limiter;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.ratelimit.store.CounterBatch;
import io.tollgate.ratelimit.store.CounterStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission and deadline for the store (the part of the reference's cache call Tollgate bounds): at
 * most {@code STORE_MAX_IN_FLIGHT} calls wait for it at once, because a queue longer than the store
 * clears within the deadline only makes every later call miss it too; past that a call fails at
 * once ("overload"). Each call gets {@code STORE_DEADLINE}, late by at most one {@link
 * #TICK_MILLIS} tick. The future completes normally, with the failure or null, so the caller judges
 * either way.
 *
 * <p>The deadlines are on a timer wheel rather than {@link CompletableFuture#orTimeout}: that
 * schedules and cancels a task on a shared pool per call, which woke a pool thread for almost every
 * call and cost a tenth of a Redis decision's CPU. The wheel's one thread wakes once a tick
 * whatever the rate, and arming or cancelling a deadline only queues it.
 */
final class StoreGate implements AutoCloseable {

  /** Why a call was not sent to the store: too many already wait for it. */
  static final Throwable OVERLOAD = new StoreOverloaded();

  /** The deadline timer's resolution: how late a missed deadline may be noticed. */
  static final long TICK_MILLIS = 5;

  private final CounterStore store;
  private final Settings.Store settings;
  private final Timer latency;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final HashedWheelTimer deadlines =
      new HashedWheelTimer(
          r -> {
            Thread t = new Thread(r, "store-deadlines");
            t.setDaemon(true);
            return t;
          },
          TICK_MILLIS,
          TimeUnit.MILLISECONDS);

  StoreGate(CounterStore store, Settings.Store settings, MeterRegistry meters) {
    this.store = store;
    this.settings = settings;
    this.latency =
        Timer.builder("tollgate_ratelimit_store_latency")
            .description("Time for the counter store to apply one call's counters")
            .publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofSeconds(1))
            .register(meters);
  }

  /** Applies (or, {@code readOnly}, reads) {@code batch}; completes with the failure, or null. */
  CompletableFuture<Throwable> apply(CounterBatch batch, boolean readOnly) {
    if (inFlight.incrementAndGet() > settings.maxInFlight()) {
      inFlight.decrementAndGet();
      return CompletableFuture.completedFuture(OVERLOAD);
    }
    long started = System.nanoTime();
    CompletableFuture<Void> applied;
    try {
      applied = readOnly ? store.peek(batch) : store.apply(batch);
    } catch (RuntimeException e) {
      applied = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Throwable> result = new CompletableFuture<>();
    // A store that answered at once (the in-memory one) needs no deadline.
    Timeout deadline =
        applied.isDone()
            ? null
            : deadlines.newTimeout(
                t -> finish(result, new TimeoutException(), started),
                settings.deadline().toNanos(),
                TimeUnit.NANOSECONDS);
    // The slot stays taken until the store is done, even when the deadline passed first.
    applied.whenComplete(
        (ok, error) -> {
          inFlight.decrementAndGet();
          if (deadline != null) {
            deadline.cancel();
          }
          finish(result, error, started);
        });
    return result;
  }

  /** The first of the store's answer and the deadline decides the call; the latency is its time. */
  private void finish(CompletableFuture<Throwable> result, Throwable error, long started) {
    if (result.complete(error)) {
      latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void close() {
    deadlines.stop();
  }

  /** Routine under overload, so shared and without a stack trace. */
  private static final class StoreOverloaded extends RuntimeException {
    StoreOverloaded() {
      super("more calls waiting for the store than STORE_MAX_IN_FLIGHT", null, false, false);
    }
  }
}
