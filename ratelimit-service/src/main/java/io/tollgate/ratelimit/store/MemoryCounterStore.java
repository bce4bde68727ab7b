package io.tollgate.ratelimit.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters in this process's memory, for a single node. One slot per counter holds its current
 * window and the one before, so the table does not churn a new key per window (which would keep a
 * second's worth of dead keys alive for the collector to copy). A slot expires like a Redis key
 * (each write sets the TTL). Memory is bounded: at most {@code maxKeys} counters; when a new key
 * arrives with the table full, expired counters are dropped first, then arbitrary live ones
 * (counted as evictions; an evicted counter restarts from zero, so the limit fails open for that
 * key rather than the process running out of memory under a flood of distinct keys).
 */
public final class MemoryCounterStore implements CounterStore {

  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  private final int maxKeys;
  private final Clock clock;
  private final Counter evictions;
  private final AtomicLong lastSweep = new AtomicLong();

  public MemoryCounterStore(int maxKeys, Clock clock, MeterRegistry meters) {
    this.maxKeys = maxKeys;
    this.clock = clock;
    this.evictions =
        Counter.builder("tollgate_ratelimit_memory_store_evictions")
            .description("Live counters dropped because the in-memory store was full")
            .register(meters);
    Gauge.builder("tollgate_ratelimit_memory_store_keys", slots, Map::size)
        .description("Counters held by the in-memory store")
        .register(meters);
  }

  @Override
  public CompletableFuture<Void> apply(CounterBatch batch) {
    long now = clock.millis();
    for (int i = 0; i < batch.size(); i++) {
      Slot slot = slot(batch.counter(i), now);
      slot.apply(batch, i, now + batch.ttlSeconds(i) * 1000, true);
    }
    return DONE;
  }

  @Override
  public CompletableFuture<Void> peek(CounterBatch batch) {
    long now = clock.millis();
    for (int i = 0; i < batch.size(); i++) {
      Slot slot = slots.get(batch.counter(i));
      // A missing or expired counter reads as a new one, and a new one is not kept.
      (slot == null || slot.expired(now) ? new Slot() : slot).apply(batch, i, 0, false);
    }
    return DONE;
  }

  public int size() {
    return slots.size();
  }

  private Slot slot(String counter, long now) {
    Slot slot = slots.get(counter);
    if (slot != null) {
      if (!slot.expired(now)) {
        return slot;
      }
      slots.remove(counter, slot);
    }
    if (slots.size() >= maxKeys) {
      makeRoom(now);
    }
    return slots.computeIfAbsent(counter, k -> new Slot());
  }

  /** Drops expired counters (at most once a second), then live ones until there is room. */
  private void makeRoom(long now) {
    long last = lastSweep.get();
    if (now - last >= 1000 && lastSweep.compareAndSet(last, now)) {
      slots.values().removeIf(s -> s.expired(now));
    }
    Iterator<Slot> it = slots.values().iterator();
    while (slots.size() >= maxKeys && it.hasNext()) {
      it.next();
      it.remove();
      evictions.increment();
    }
  }

  /** Removes every expired counter; the service runs this periodically. */
  public void sweep() {
    long now = clock.millis();
    slots.values().removeIf(s -> s.expired(now));
  }

  /**
   * One counter: the count of its current window and of the window before, or a token bucket's
   * units and last refill (a bucket's key is never a window's). Guarded by its own monitor, which
   * two event-loop threads rarely contend for, so that a window's roll-over and an increment are
   * one step.
   */
  private static final class Slot {
    private long windowStart = Long.MIN_VALUE;
    private long count;
    private long previous;
    private volatile long expiresAt = Long.MAX_VALUE;

    /**
     * Applies operation {@code i} of the batch and fills in its results; with {@code commit} false
     * only the results: the same arithmetic, so a peek answers exactly what applying would.
     */
    synchronized void apply(CounterBatch batch, int i, long expiry, boolean commit) {
      if (batch.isBucket(i)) {
        TokenBucket bucket =
            windowStart == Long.MIN_VALUE
                ? batch.fullBucket(i)
                : new TokenBucket(count, windowStart);
        TokenBucket after = batch.takeFrom(i, bucket);
        if (commit) {
          count = after.units();
          windowStart = after.lastMillis();
          expiresAt = expiry;
        }
        return;
      }
      long start = batch.windowStart(i);
      long length = batch.windowSeconds(i);
      long hits = batch.hits(i);
      long window = windowStart;
      long current = count;
      long before = previous;
      if (start > window) {
        before = start - length == window ? current : 0;
        current = 0;
        window = start;
      } else if (start < window) {
        // A call stamped just before another thread rolled the window over: its window is this
        // slot's previous one, or older and gone, as its Redis key would be.
        boolean inPrevious = start == window - length;
        long counted = inPrevious ? before + hits : hits;
        if (inPrevious && !batch.isSliding(i) && commit) {
          previous = counted;
        }
        batch.setCount(i, counted);
        batch.setApplied(i, !batch.isSliding(i));
        return;
      }
      boolean admitted =
          !batch.isSliding(i)
              || CounterBatch.admits(current, before, hits, batch.weight(i), batch.limit(i));
      if (admitted) {
        current += hits;
      }
      if (batch.isSliding(i)) {
        batch.setPreviousCount(i, before);
        batch.setApplied(i, admitted);
      }
      batch.setCount(i, current);
      if (commit) {
        windowStart = window;
        count = current;
        previous = before;
        expiresAt = expiry;
      }
    }

    boolean expired(long now) {
      return expiresAt <= now;
    }
  }
}
