package io.tollgate.controlplane.stats;

import java.util.EnumMap;
import org.HdrHistogram.Histogram;

/**
 * The counts of one stripe over one bucket, updated entry by entry: a top-K sketch per dimension
 * and a latency histogram. Fixed memory once created; an update allocates nothing unless a key is
 * new to a sketch. Not thread-safe: its stripe's lock guards it.
 */
final class BucketAggregator {

  private static final String[] STATUS_KEYS = new String[600];

  static {
    for (int i = 0; i < STATUS_KEYS.length; i++) {
      STATUS_KEYS[i] = Integer.toString(i);
    }
  }

  /** Stands for a blocked request whose rule the rate-limit service did not name. */
  static final String UNNAMED_RULE = "(unnamed)";

  private final long startMillis;
  private final EnumMap<Dimension, SpaceSaving> sketches = new EnumMap<>(Dimension.class);
  private final Histogram latency = Aggregate.newLatencyHistogram();
  private long requests;
  private long rateLimited;
  private long entries;

  BucketAggregator(long startMillis, int topKeys) {
    this.startMillis = startMillis;
    for (Dimension d : Dimension.values()) {
      sketches.put(d, new SpaceSaving(d.capacity(topKeys)));
    }
  }

  long startMillis() {
    return startMillis;
  }

  long requests() {
    return requests;
  }

  void add(AccessRecord r) {
    boolean limited = r.rateLimited();
    long w = r.weight();
    entries++;
    requests += w;
    if (limited) {
      rateLimited += w;
      sketches.get(Dimension.RULE).add(r.rule() == null ? UNNAMED_RULE : r.rule(), true, w);
    }
    for (String shadow : r.shadowRules()) {
      sketches.get(Dimension.SHADOW_RULE).add(shadow, false, w);
    }
    for (String counted : r.countedRules()) {
      sketches.get(Dimension.RULE_HIT).add(counted, limited, w);
    }
    if (r.cacheHit()) {
      sketches.get(Dimension.CACHE).add(Dimension.CACHE_HIT, false, w);
    }
    sketches.get(Dimension.STATUS).add(statusKey(r.status()), limited, w);
    sketches.get(Dimension.METHOD).add(r.method(), limited, w);
    sketches.get(Dimension.PATH).add(r.path(), limited, w);
    sketches.get(Dimension.IP).add(r.clientIp(), limited, w);
    sketches.get(Dimension.UPSTREAM).add(r.upstream(), limited, w);
    latency.recordValueWithCount(
        Math.max(0, Math.min(r.latencyMicros(), Aggregate.MAX_LATENCY_MICROS)), w);
  }

  /**
   * The exact part of this bucket: each kept key with its guaranteed count, the remainder of every
   * dimension as {@link Dimension#OTHER}.
   */
  Aggregate toAggregate() {
    Aggregate a = new Aggregate();
    a.addTotals(requests, rateLimited);
    a.addEntries(entries);
    a.addLatency(latency);
    sketches.forEach(
        (dimension, sketch) -> {
          long[] kept = new long[2];
          sketch.forEach(
              c -> {
                long n = c.guaranteed();
                a.addKey(dimension, c.key(), n, Math.min(n, c.rateLimited()));
                kept[0] += n;
                kept[1] += Math.min(n, c.rateLimited());
              });
          a.addKey(
              dimension,
              Dimension.OTHER,
              sketch.total() - kept[0],
              sketch.totalRateLimited() - kept[1]);
        });
    return a;
  }

  private static String statusKey(int status) {
    return status >= 0 && status < STATUS_KEYS.length ? STATUS_KEYS[status] : Dimension.OTHER;
  }
}
