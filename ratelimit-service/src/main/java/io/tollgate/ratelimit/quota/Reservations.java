package io.tollgate.ratelimit.quota;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per bucket and window, the allowance each stream of this replica was last assigned: what that
 * Envoy may still admit before the service hears of it. A stream's new allowance never exceeds what
 * the others' leave, so a share estimate that lags a change of demand cannot hand out more than the
 * window's remainder. Streams on other replicas are not known here; their lag is the documented
 * over-admission bound. Thread-safe: streams run on different threads.
 */
final class Reservations {

  private final Map<String, Map<Object, long[]>> byBucket = new ConcurrentHashMap<>();

  /** The allowances in window {@code windowStart} of every holder but {@code holder}. */
  Reserved others(String bucket, Object holder, long windowStart) {
    long[] sum = {0, 0};
    byBucket.computeIfPresent(
        bucket,
        (k, holders) -> {
          holders.forEach(
              (h, r) -> {
                if (h != holder && r[0] == windowStart) {
                  sum[0] += r[1];
                  sum[1]++;
                }
              });
          return holders;
        });
    return new Reserved(sum[0], (int) sum[1]);
  }

  /** Records {@code holder}'s allowance in window {@code windowStart}, replacing its last one. */
  void reserve(String bucket, Object holder, long windowStart, long allowance) {
    byBucket.compute(
        bucket,
        (k, holders) -> {
          Map<Object, long[]> m = holders == null ? new HashMap<>() : holders;
          m.put(holder, new long[] {windowStart, allowance});
          return m;
        });
  }

  /** Drops {@code holder}'s allowance (its stream ended or dropped the bucket). */
  void release(String bucket, Object holder) {
    byBucket.computeIfPresent(
        bucket,
        (k, holders) -> {
          holders.remove(holder);
          return holders.isEmpty() ? null : holders;
        });
  }

  /**
   * What the other streams hold in a window.
   *
   * @param allowance the sum of their allowances
   * @param holders how many they are
   */
  record Reserved(long allowance, int holders) {

    static final Reserved NONE = new Reserved(0, 0);
  }
}
