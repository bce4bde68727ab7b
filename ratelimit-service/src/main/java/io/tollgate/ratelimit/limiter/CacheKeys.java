package io.tollgate.ratelimit.limiter;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;

/**
 * Counter keys in the reference's format, {@code CACHE_KEY_PREFIX + domain + "_" + (key + "_" +
 * value + "_")... + windowStartSeconds}, so this service and the reference count the same Redis
 * keys. A {@code share_threshold} entry contributes its pattern instead of its value, so every
 * value matching the wildcard shares one counter.
 */
public final class CacheKeys {

  private final String prefix;

  public CacheKeys(String prefix) {
    this.prefix = prefix;
  }

  /** Everything but the window start. */
  public String base(String domain, RateLimitDescriptor descriptor, String[] sharedValues) {
    StringBuilder b = new StringBuilder(64);
    b.append(prefix).append(domain).append('_');
    for (int i = 0; i < descriptor.getEntriesCount(); i++) {
      RateLimitDescriptor.Entry e = descriptor.getEntries(i);
      b.append(e.getKey()).append('_');
      b.append(sharedValues != null && sharedValues[i] != null ? sharedValues[i] : e.getValue());
      b.append('_');
    }
    return b.toString();
  }

  /**
   * The base of a sliding window's keys: a Redis Cluster hash tag around it puts the current and
   * the previous window's counters in one slot, as the check-and-increment script requires. The
   * reference has no sliding window, so these keys need not match its format.
   */
  static String hashTagged(String base) {
    return "{" + base + "}";
  }

  /**
   * A token bucket's one key, for every window: {@code {<base>}bucket}. The suffix keeps it apart
   * from every window key (the reference's end in a window start, the sliding window's too), and
   * the hash tag marks it as Tollgate's own, like the sliding window's.
   */
  static String bucket(String base) {
    return hashTagged(base) + "bucket";
  }

  /** The key of the window that starts at {@code windowStart}, in seconds since the epoch. */
  public static String window(String base, long windowStart) {
    return base + windowStart;
  }
}
