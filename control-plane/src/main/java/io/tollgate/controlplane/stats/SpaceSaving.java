package io.tollgate.controlplane.stats;

import java.util.HashMap;
import java.util.function.Consumer;

/**
 * The space-saving top-K sketch (Metwally, Agrawal, El Abbadi 2005) over at most {@code capacity}
 * counters: a key seen more than n/capacity times out of n is always kept, and a key kept since its
 * first occurrence has an exact count ({@code error == 0}). When full, a new key takes over the
 * smallest counter and inherits its count as error.
 *
 * <p>Written here rather than taken from stream-lib: that library is unmaintained since 2019 and
 * its StreamSummary allocates list nodes per update. This one keeps the counters in an indexed
 * min-heap (O(log k) per update, no allocation for a key already kept). Not thread-safe: one owner
 * at a time.
 */
final class SpaceSaving {

  /** One tracked key. {@code count - error} is a guaranteed lower bound of its true count. */
  static final class Counter {
    private String key;
    private long count;
    private long error;
    private long rateLimited;
    private int heapIndex;

    String key() {
      return key;
    }

    long count() {
      return count;
    }

    long error() {
      return error;
    }

    /** Occurrences known exactly: those since the key was last (re)admitted. */
    long guaranteed() {
      return count - error;
    }

    long rateLimited() {
      return rateLimited;
    }
  }

  private final int capacity;
  private final HashMap<String, Counter> byKey;
  private final Counter[] heap;
  private int size;
  private long total;
  private long totalRateLimited;

  SpaceSaving(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
    this.byKey = new HashMap<>(capacity * 2);
    this.heap = new Counter[capacity];
  }

  /**
   * Counts {@code weight} occurrences of {@code key} (a sampled access-log entry stands for several
   * answers; the sketch's guarantees hold for weighted counts as for unit ones).
   */
  void add(String key, boolean rateLimited, long weight) {
    total += weight;
    if (rateLimited) {
      totalRateLimited += weight;
    }
    Counter c = byKey.get(key);
    if (c == null && size < capacity) {
      c = new Counter();
      c.key = key;
      c.count = weight;
      c.rateLimited = rateLimited ? weight : 0;
      byKey.put(key, c);
      heap[size] = c;
      siftUp(size++);
      return;
    }
    if (c == null) {
      c = replaceSmallest(key);
    }
    c.count += weight;
    if (rateLimited) {
      c.rateLimited += weight;
    }
    siftDown(c.heapIndex);
  }

  private Counter replaceSmallest(String key) {
    Counter c = heap[0];
    byKey.remove(c.key);
    c.error = c.count;
    c.rateLimited = 0;
    c.key = key;
    byKey.put(key, c);
    return c;
  }

  private void siftUp(int i) {
    Counter c = heap[i];
    while (i > 0) {
      int parent = (i - 1) / 2;
      if (heap[parent].count <= c.count) {
        break;
      }
      heap[i] = heap[parent];
      heap[i].heapIndex = i;
      i = parent;
    }
    heap[i] = c;
    c.heapIndex = i;
  }

  /** Every occurrence added, kept or not. */
  long total() {
    return total;
  }

  long totalRateLimited() {
    return totalRateLimited;
  }

  int size() {
    return size;
  }

  void forEach(Consumer<Counter> action) {
    for (int i = 0; i < size; i++) {
      action.accept(heap[i]);
    }
  }

  // A count only grows, so a counter only ever moves down the min-heap.
  private void siftDown(int i) {
    Counter c = heap[i];
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && heap[child + 1].count < heap[child].count) {
        child++;
      }
      if (heap[child].count >= c.count) {
        break;
      }
      heap[i] = heap[child];
      heap[i].heapIndex = i;
      i = child;
    }
    heap[i] = c;
    c.heapIndex = i;
  }
}
