package io.tollgate.controlplane.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Mergeable counts over some span of time: totals, a latency distribution, and per dimension the
 * counts of the keys kept plus {@link Dimension#OTHER} for the rest, so that the keys of a
 * dimension always sum to its total. Adding two aggregates gives the aggregate of both spans, which
 * is what lets stripes, buckets, minutes and replicas combine. Not thread-safe.
 */
public final class Aggregate {

  /** Latencies above an hour are recorded as an hour. */
  static final long MAX_LATENCY_MICROS = 3_600_000_000L;

  private static final int LATENCY_DIGITS = 2;

  private long requests;
  private long rateLimited;
  private long entries;
  private final Histogram latency = newLatencyHistogram();
  private final EnumMap<Dimension, Map<String, long[]>> keys = new EnumMap<>(Dimension.class);

  /** A histogram of microseconds with two significant digits (at most 1% error). */
  public static Histogram newLatencyHistogram() {
    return new Histogram(1, MAX_LATENCY_MICROS, LATENCY_DIGITS);
  }

  public long requests() {
    return requests;
  }

  public long rateLimited() {
    return rateLimited;
  }

  /**
   * The access-log entries behind the counts: {@link #requests()} unless Envoy sampled its log
   * ({@code TOLLGATE_ACCESSLOG_SAMPLE_ONE_IN}). Live only (the metric comparing it with Envoy's
   * {@code logs_written}); not stored, so it is 0 in aggregates read from the database.
   */
  public long entries() {
    return entries;
  }

  void addEntries(long entries) {
    this.entries += entries;
  }

  /** The latency distribution in microseconds; callers must not change it. */
  public Histogram latency() {
    return latency;
  }

  public void addTotals(long requests, long rateLimited) {
    this.requests += requests;
    this.rateLimited += rateLimited;
  }

  public void addLatency(Histogram other) {
    latency.add(other);
  }

  public void addKey(Dimension dimension, String key, long requests, long rateLimited) {
    if (requests == 0 && rateLimited == 0) {
      return;
    }
    long[] counts = keys.computeIfAbsent(dimension, d -> new HashMap<>()).get(key);
    if (counts == null) {
      keys.get(dimension).put(key, new long[] {requests, rateLimited});
    } else {
      counts[0] += requests;
      counts[1] += rateLimited;
    }
  }

  public void merge(Aggregate other) {
    addTotals(other.requests, other.rateLimited);
    addEntries(other.entries);
    addLatency(other.latency);
    other.keys.forEach(
        (dimension, counts) -> counts.forEach((key, c) -> addKey(dimension, key, c[0], c[1])));
  }

  /**
   * Keeps, per dimension, the {@code keep} keys with the most requests and folds the others into
   * {@link Dimension#OTHER}: bounds memory and storage whatever the traffic.
   */
  public void trim(int keep) {
    for (Map.Entry<Dimension, Map<String, long[]>> e : keys.entrySet()) {
      Map<String, long[]> counts = e.getValue();
      if (counts.size() <= keep) {
        continue;
      }
      List<Map.Entry<String, long[]>> sorted = new ArrayList<>(counts.entrySet());
      sorted.removeIf(k -> k.getKey().equals(Dimension.OTHER));
      sorted.sort(BY_REQUESTS_DESC);
      Map<String, long[]> kept = new HashMap<>(keep * 2);
      long[] other = counts.getOrDefault(Dimension.OTHER, new long[2]).clone();
      for (int i = 0; i < sorted.size(); i++) {
        Map.Entry<String, long[]> k = sorted.get(i);
        if (i < keep - 1) {
          kept.put(k.getKey(), k.getValue());
        } else {
          other[0] += k.getValue()[0];
          other[1] += k.getValue()[1];
        }
      }
      kept.put(Dimension.OTHER, other);
      e.setValue(kept);
    }
  }

  /** The counts of one dimension, most requests first. */
  public List<KeyCount> keys(Dimension dimension) {
    List<KeyCount> out = new ArrayList<>();
    keys.getOrDefault(dimension, Map.of())
        .forEach((key, c) -> out.add(new KeyCount(key, c[0], c[1])));
    out.sort(Comparator.comparingLong(KeyCount::requests).reversed());
    return out;
  }

  /**
   * The counts of one key, {requests, rateLimited}, zeros when absent; callers must not change it.
   */
  long[] key(Dimension dimension, String key) {
    return keys.getOrDefault(dimension, Map.of()).getOrDefault(key, NONE);
  }

  private static final long[] NONE = new long[2];

  private static final Comparator<Map.Entry<String, long[]>> BY_REQUESTS_DESC =
      Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[0]).reversed();
}
