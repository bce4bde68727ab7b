package io.tollgate.ratelimit.limiter;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * The reference's local cache of counter keys already over their limit ({@code
 * LOCAL_CACHE_SIZE_IN_BYTES}): a key found here is answered OVER_LIMIT without a store round trip
 * until its window ends. Bounded by entries (the byte budget divided by an estimated {@value
 * #BYTES_PER_ENTRY} bytes per key). Caffeine keeps the bound in O(1) amortised per insert (a scan
 * of the whole map per insert made a flood of distinct over-limit keys quadratic), expires each
 * entry at its own window end, and its frequency-based admission keeps a hot key cached while a
 * flood of one-off keys passes through.
 */
final class LocalOverLimitCache {

  static final int BYTES_PER_ENTRY = 160;

  /** Null when disabled (a budget under one entry). */
  private final Cache<String, Long> windowEndMillis;

  private final Clock clock;

  /** A cache of {@code sizeInBytes}; zero disables it. */
  LocalOverLimitCache(long sizeInBytes, Clock clock) {
    long maxEntries = sizeInBytes / BYTES_PER_ENTRY;
    this.clock = clock;
    this.windowEndMillis =
        maxEntries == 0
            ? null
            : Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfter(new UntilWindowEnd(clock))
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                // Eviction on the calling thread: no task handed to a shared pool per decision.
                .executor(Runnable::run)
                .build();
  }

  boolean enabled() {
    return windowEndMillis != null;
  }

  boolean isOverLimit(String key) {
    return windowEndMillis != null && windowEndMillis.getIfPresent(key) != null;
  }

  /** Remembers {@code key} as over its limit until {@code windowEnd} (epoch milliseconds). */
  void markOverLimit(String key, long windowEnd) {
    if (windowEndMillis != null && windowEnd > clock.millis()) {
      windowEndMillis.put(key, windowEnd);
    }
  }

  /** Keys held now, after pending evictions and expiries. */
  long size() {
    if (windowEndMillis == null) {
      return 0;
    }
    windowEndMillis.cleanUp();
    return windowEndMillis.estimatedSize();
  }

  /** Each entry lives until the end of its counter's window, the value it carries. */
  private record UntilWindowEnd(Clock clock) implements Expiry<String, Long> {

    @Override
    public long expireAfterCreate(String key, Long windowEnd, long currentTime) {
      return TimeUnit.MILLISECONDS.toNanos(Math.max(0, windowEnd - clock.millis()));
    }

    @Override
    public long expireAfterUpdate(
        String key, Long windowEnd, long currentTime, long currentDuration) {
      return expireAfterCreate(key, windowEnd, currentTime);
    }

    @Override
    public long expireAfterRead(
        String key, Long windowEnd, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
