package io.tollgate.ratelimit.store;

/**
 * The counter operations of one {@code ShouldRateLimit}, applied together in one store round trip.
 *
 * <p>A fixed-window operation adds {@code hits} to {@code key} (and keeps it {@code ttlSeconds},
 * the window's length; a shared store may add jitter), whatever the result, as the reference does.
 * A sliding-window operation reads its key and the previous window's, and adds {@code hits} only if
 * the call is admitted ({@code current + hits + ceil(previous * weight / }{@value
 * #WEIGHT_SCALE}{@code ) <= limit}), atomically: a caller retrying while over the limit must not
 * push the estimate up, or it would be locked out of the next window too.
 */
public final class CounterBatch {

  /** The previous window's weight is in units of 1/{@value} of its count. */
  public static final long WEIGHT_SCALE = 10_000;

  private final String[] keys;
  private final long[] hits;
  private final long[] ttlSeconds;
  private final String[] previousKeys;
  private final long[] limits;
  private final long[] weights;
  private final long[] counts;
  private final long[] previousCounts;
  private final boolean[] applied;
  private int size;

  public CounterBatch(int capacity) {
    keys = new String[capacity];
    hits = new long[capacity];
    ttlSeconds = new long[capacity];
    previousKeys = new String[capacity];
    limits = new long[capacity];
    weights = new long[capacity];
    counts = new long[capacity];
    previousCounts = new long[capacity];
    applied = new boolean[capacity];
  }

  /** Adds a fixed-window increment and returns its index. */
  public int addFixed(String key, long hits, long ttlSeconds) {
    int i = size++;
    keys[i] = key;
    this.hits[i] = hits;
    this.ttlSeconds[i] = ttlSeconds;
    return i;
  }

  /**
   * Adds a sliding-window check-and-increment and returns its index.
   *
   * @param weight the previous window's weight, 0 to {@link #WEIGHT_SCALE}
   */
  public int addSliding(
      String key, String previousKey, long hits, long ttlSeconds, long limit, long weight) {
    int i = addFixed(key, hits, ttlSeconds);
    previousKeys[i] = previousKey;
    limits[i] = limit;
    weights[i] = weight;
    return i;
  }

  /** The previous window's contribution to a sliding estimate, rounded up. */
  public static long weighted(long previousCount, long weight) {
    return (previousCount * weight + WEIGHT_SCALE - 1) / WEIGHT_SCALE;
  }

  /** Whether a sliding operation admits its hits on these counts. */
  public static boolean admits(long current, long previous, long hits, long weight, long limit) {
    return current + hits + weighted(previous, weight) <= limit;
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public String key(int i) {
    return keys[i];
  }

  public long hits(int i) {
    return hits[i];
  }

  public long ttlSeconds(int i) {
    return ttlSeconds[i];
  }

  /** Null for a fixed-window operation. */
  public String previousKey(int i) {
    return previousKeys[i];
  }

  public boolean isSliding(int i) {
    return previousKeys[i] != null;
  }

  public long limit(int i) {
    return limits[i];
  }

  public long weight(int i) {
    return weights[i];
  }

  /** The counter after the operation (including the hits if they were added). */
  public long count(int i) {
    return counts[i];
  }

  /** The previous window's counter (sliding window only). */
  public long previousCount(int i) {
    return previousCounts[i];
  }

  /** Whether a sliding operation added its hits. */
  public boolean applied(int i) {
    return applied[i];
  }

  public void setCount(int i, long value) {
    counts[i] = value;
  }

  public void setPreviousCount(int i, long value) {
    previousCounts[i] = value;
  }

  public void setApplied(int i, boolean value) {
    applied[i] = value;
  }
}
