package io.tollgate.ratelimit.limiter;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.ratelimit.store.CounterBatch;
import io.tollgate.ratelimit.store.CounterStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission and deadline for the store (the part of the reference's cache call Tollgate bounds): at
 * most {@code STORE_MAX_IN_FLIGHT} calls wait for it at once, because a queue longer than the store
 * clears within the deadline only makes every later call miss it too; past that a call fails at
 * once ("overload"). Each call gets {@code STORE_DEADLINE}. The future completes normally, with the
 * failure or null, so the caller judges either way.
 */
final class StoreGate {

  /** Why a call was not sent to the store: too many already wait for it. */
  static final Throwable OVERLOAD = new StoreOverloaded();

  private final CounterStore store;
  private final Settings.Store settings;
  private final Timer latency;
  private final AtomicInteger inFlight = new AtomicInteger();

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
    applied.whenComplete((ok, error) -> inFlight.decrementAndGet());
    // A copy times out, not the store's own future: the slot stays taken until the store is done.
    return applied
        .copy()
        .orTimeout(settings.deadline().toNanos(), TimeUnit.NANOSECONDS)
        .handle(
            (ok, error) -> {
              latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
              return error;
            });
  }

  /** Routine under overload, so shared and without a stack trace. */
  private static final class StoreOverloaded extends RuntimeException {
    StoreOverloaded() {
      super("more calls waiting for the store than STORE_MAX_IN_FLIGHT", null, false, false);
    }
  }
}
