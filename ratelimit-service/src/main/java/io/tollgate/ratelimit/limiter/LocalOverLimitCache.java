package io.tollgate.ratelimit.limiter;

import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reference's local cache of counter keys already over their limit ({@code
 * LOCAL_CACHE_SIZE_IN_BYTES}): a key found here is answered OVER_LIMIT without a store round trip
 * until its window ends. Bounded by entries (the byte budget divided by an estimated {@value
 * #BYTES_PER_ENTRY} bytes per key); when full, expired keys go first, then arbitrary ones.
 */
final class LocalOverLimitCache {

  static final int BYTES_PER_ENTRY = 160;

  private final Map<String, Long> expiresAtMillis = new ConcurrentHashMap<>();
  private final int maxEntries;
  private final Clock clock;

  /** A cache of {@code sizeInBytes}; zero disables it. */
  LocalOverLimitCache(long sizeInBytes, Clock clock) {
    this.maxEntries = (int) Math.min(Integer.MAX_VALUE, sizeInBytes / BYTES_PER_ENTRY);
    this.clock = clock;
  }

  boolean enabled() {
    return maxEntries > 0;
  }

  boolean isOverLimit(String key) {
    if (maxEntries == 0) {
      return false;
    }
    Long until = expiresAtMillis.get(key);
    if (until == null) {
      return false;
    }
    if (until <= clock.millis()) {
      expiresAtMillis.remove(key, until);
      return false;
    }
    return true;
  }

  void markOverLimit(String key, long ttlSeconds) {
    if (maxEntries == 0) {
      return;
    }
    if (expiresAtMillis.size() >= maxEntries) {
      evict();
    }
    expiresAtMillis.put(key, clock.millis() + ttlSeconds * 1000);
  }

  int size() {
    return expiresAtMillis.size();
  }

  private void evict() {
    long now = clock.millis();
    expiresAtMillis.values().removeIf(until -> until <= now);
    Iterator<String> it = expiresAtMillis.keySet().iterator();
    while (expiresAtMillis.size() >= maxEntries && it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
