package io.tollgate.ratelimit.store;

/**
 * The counter operations of one {@code ShouldRateLimit}, applied together in one store round trip.
 *
 * <p>Each operation names its counter twice: {@code counter}, the same for every window (what a
 * store that keeps windows itself, as the in-memory one does, keys on), and {@code key}, the
 * counter's key for the window that starts at {@code windowStart} (the reference's Redis key).
 *
 * <p>A fixed-window operation adds {@code hits} to {@code key} (and keeps it the window's length; a
 * shared store may add jitter), whatever the result, as the reference does. A sliding-window
 * operation reads its key and the previous window's, and adds {@code hits} only if the call is
 * admitted ({@code current + hits + ceil(previous * weight / }{@value #WEIGHT_SCALE}{@code ) <=
 * limit}), atomically: a caller retrying while over the limit must not push the estimate up, or it
 * would be locked out of the next window too. Its keys live two windows, because the next window
 * reads this one as its previous.
 *
 * <p>A token-bucket operation ({@link TokenBucket}) refills its one key's bucket to the call's time
 * and takes {@code hits} tokens only if they are all there, atomically, for the same reason; its
 * result is the bucket's units afterwards.
 */
public final class CounterBatch {

  /** The previous window's weight is in units of 1/{@value} of its count. */
  public static final long WEIGHT_SCALE = 10_000;

  private final String[] counters;
  private final String[] keys;
  private final long[] windowStarts;
  private final long[] windowSeconds;
  private final long[] hits;
  private final String[] previousKeys;
  private final long[] limits;
  private final long[] weights;
  private final long[] rates;
  private final long[] nows;
  private final long[] counts;
  private final long[] previousCounts;
  private final boolean[] applied;
  private int size;

  public CounterBatch(int capacity) {
    counters = new String[capacity];
    keys = new String[capacity];
    windowStarts = new long[capacity];
    windowSeconds = new long[capacity];
    hits = new long[capacity];
    previousKeys = new String[capacity];
    limits = new long[capacity];
    weights = new long[capacity];
    rates = new long[capacity];
    nows = new long[capacity];
    counts = new long[capacity];
    previousCounts = new long[capacity];
    applied = new boolean[capacity];
  }

  /**
   * Adds a fixed-window increment and returns its index.
   *
   * @param windowStart the window's start, in seconds since the epoch
   */
  public int addFixed(String counter, String key, long windowStart, long windowSeconds, long hits) {
    int i = size++;
    counters[i] = counter;
    keys[i] = key;
    windowStarts[i] = windowStart;
    this.windowSeconds[i] = windowSeconds;
    this.hits[i] = hits;
    return i;
  }

  /**
   * Adds a sliding-window check-and-increment and returns its index.
   *
   * @param previousKey the key of the window before this one
   * @param weight the previous window's weight, 0 to {@link #WEIGHT_SCALE}
   */
  public int addSliding(
      String counter,
      String key,
      String previousKey,
      long windowStart,
      long windowSeconds,
      long hits,
      long limit,
      long weight) {
    int i = addFixed(counter, key, windowStart, windowSeconds, hits);
    previousKeys[i] = previousKey;
    limits[i] = limit;
    weights[i] = weight;
    return i;
  }

  /**
   * Adds a token-bucket take and returns its index.
   *
   * @param key the bucket's one key, the same for every window (it is also the counter)
   * @param windowSeconds the unit the rate refers to
   * @param rate tokens added per window, above 0
   * @param capacity the bucket's size, rate + burst
   * @param nowMillis the call's time, to which the bucket is refilled
   */
  public int addBucket(
      String key, long windowSeconds, long rate, long capacity, long hits, long nowMillis) {
    int i = addFixed(key, key, 0, windowSeconds, hits);
    rates[i] = rate;
    limits[i] = capacity;
    nows[i] = nowMillis;
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

  /** The counter's identity across windows. */
  public String counter(int i) {
    return counters[i];
  }

  /** The counter's key in this window. */
  public String key(int i) {
    return keys[i];
  }

  /** The window's start, in seconds since the epoch. */
  public long windowStart(int i) {
    return windowStarts[i];
  }

  public long windowSeconds(int i) {
    return windowSeconds[i];
  }

  public long hits(int i) {
    return hits[i];
  }

  /**
   * How long the key must live: one window, two for a sliding one (the next window reads it), a
   * bucket's refill from empty.
   */
  public long ttlSeconds(int i) {
    if (isBucket(i)) {
      return TokenBucket.ttlSeconds(limits[i], windowSeconds[i], rates[i]);
    }
    return isSliding(i) ? 2 * windowSeconds[i] : windowSeconds[i];
  }

  public boolean isBucket(int i) {
    return rates[i] > 0;
  }

  /** A bucket's refill rate, tokens per window. */
  public long rate(int i) {
    return rates[i];
  }

  /** A bucket operation's time, ms since the epoch. */
  public long nowMillis(int i) {
    return nows[i];
  }

  /** The bucket as a client never seen before finds it. */
  public TokenBucket fullBucket(int i) {
    return TokenBucket.full(limits[i], nows[i]);
  }

  /**
   * Refills {@code bucket} to the operation's time, takes the hits if they are there, and records
   * the units left and whether it took them; returns the bucket to keep.
   */
  public TokenBucket takeFrom(int i, TokenBucket bucket) {
    TokenBucket refilled = bucket.refilled(nows[i], windowSeconds[i], rates[i], limits[i]);
    boolean admitted = refilled.admits(hits[i]);
    TokenBucket after = admitted ? refilled.take(hits[i]) : refilled;
    counts[i] = after.units();
    applied[i] = admitted;
    return after;
  }

  /** Null for a fixed-window operation. */
  public String previousKey(int i) {
    return previousKeys[i];
  }

  public boolean isSliding(int i) {
    return previousKeys[i] != null;
  }

  /** A sliding window's limit, a bucket's capacity. */
  public long limit(int i) {
    return limits[i];
  }

  public long weight(int i) {
    return weights[i];
  }

  /**
   * The counter after the operation (including the hits if they were added); a bucket's units left.
   */
  public long count(int i) {
    return counts[i];
  }

  /** The previous window's counter (sliding window only). */
  public long previousCount(int i) {
    return previousCounts[i];
  }

  /** Whether a sliding or bucket operation added (took) its hits. */
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
