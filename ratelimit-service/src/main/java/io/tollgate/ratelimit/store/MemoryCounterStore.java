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
 * Counters in this process's memory, for a single node. Keys expire like Redis keys (each write
 * sets the TTL). Memory is bounded: at most {@code maxKeys} counters; when a new key arrives with
 * the table full, expired counters are dropped first, then arbitrary live ones (counted as
 * evictions; an evicted counter restarts from zero, so the limit fails open for that key rather
 * than the process running out of memory under a flood of distinct keys).
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
      long expiry = now + batch.ttlSeconds(i) * 1000;
      Slot slot = slot(batch.key(i), now, expiry);
      if (!batch.isSliding(i)) {
        batch.setCount(i, slot.add(batch.hits(i), expiry));
        continue;
      }
      Slot p = slots.get(batch.previousKey(i));
      long previous = p == null || p.expired(now) ? 0 : p.count.get();
      batch.setPreviousCount(i, previous);
      while (true) {
        long current = slot.count.get();
        if (!CounterBatch.admits(
            current, previous, batch.hits(i), batch.weight(i), batch.limit(i))) {
          batch.setCount(i, current);
          batch.setApplied(i, false);
          break;
        }
        if (slot.count.compareAndSet(current, current + batch.hits(i))) {
          slot.expiresAt = expiry;
          batch.setCount(i, current + batch.hits(i));
          batch.setApplied(i, true);
          break;
        }
      }
    }
    return DONE;
  }

  public int size() {
    return slots.size();
  }

  private Slot slot(String key, long now, long expiry) {
    Slot slot = slots.get(key);
    if (slot != null) {
      if (!slot.expired(now)) {
        return slot;
      }
      slots.remove(key, slot);
    }
    if (slots.size() >= maxKeys) {
      makeRoom(now);
    }
    return slots.computeIfAbsent(key, k -> new Slot(expiry));
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

  /** One counter and when it expires. */
  private static final class Slot {
    final AtomicLong count = new AtomicLong();
    volatile long expiresAt;

    Slot(long expiresAt) {
      this.expiresAt = expiresAt;
    }

    long add(long hits, long newExpiry) {
      expiresAt = newExpiry;
      return count.addAndGet(hits);
    }

    boolean expired(long now) {
      return expiresAt <= now;
    }
  }
}
