package io.tollgate.ratelimit.store;

/**
 * The counter operations of one {@code ShouldRateLimit}, applied together in one store round trip:
 * for each, add {@code hits} to {@code key} and keep it {@code ttlSeconds}; when a previous key is
 * given (sliding window), also read that key. Results land in {@link #count} and {@link
 * #previousCount}.
 */
public final class CounterBatch {

  private final String[] keys;
  private final long[] hits;
  private final long[] ttlSeconds;
  private final String[] previousKeys;
  private final long[] counts;
  private final long[] previousCounts;
  private int size;

  public CounterBatch(int capacity) {
    keys = new String[capacity];
    hits = new long[capacity];
    ttlSeconds = new long[capacity];
    previousKeys = new String[capacity];
    counts = new long[capacity];
    previousCounts = new long[capacity];
  }

  /**
   * Adds an operation and returns its index.
   *
   * @param previousKey null for a fixed window
   */
  public int add(String key, long hits, long ttlSeconds, String previousKey) {
    int i = size++;
    keys[i] = key;
    this.hits[i] = hits;
    this.ttlSeconds[i] = ttlSeconds;
    previousKeys[i] = previousKey;
    return i;
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

  /** The counter after the increment. */
  public long count(int i) {
    return counts[i];
  }

  /** The previous window's counter (sliding window only). */
  public long previousCount(int i) {
    return previousCounts[i];
  }

  public void setCount(int i, long value) {
    counts[i] = value;
  }

  public void setPreviousCount(int i, long value) {
    previousCounts[i] = value;
  }
}
