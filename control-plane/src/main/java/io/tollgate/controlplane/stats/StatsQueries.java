package io.tollgate.controlplane.stats;

import io.tollgate.controlplane.ControlPlaneSettings;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

/**
 * Answers the statistics API from the stored rows plus what is still in memory (the open buckets
 * and the minutes not yet written), so a request shows up within a second or two of Envoy sending
 * its log entry. Ranges are in whole buckets: {@code from} is rounded down to the minute (or the
 * hour, when minute rows are past retention or the step is an hour) and a bucket counts when it
 * starts before {@code to}.
 */
@Service
public class StatsQueries {

  /** At most this many distinct keys are read from the database for a top-N query. */
  static final int MAX_KEYS_READ = 10_000;

  private final StatsStore store;
  private final LiveStats live;
  private final ControlPlaneSettings.Stats settings;
  private final Clock clock;

  @Autowired
  StatsQueries(StatsStore store, LiveStats live, ControlPlaneSettings settings) {
    this(store, live, settings.stats(), Clock.systemUTC());
  }

  StatsQueries(StatsStore store, LiveStats live, ControlPlaneSettings.Stats settings, Clock clock) {
    this.store = store;
    this.live = live;
    this.settings = settings;
    this.clock = clock;
  }

  /** Latency percentiles in milliseconds. */
  public record Latency(double p50, double p90, double p99, double max) {
    static Latency of(Histogram h) {
      if (h.getTotalCount() == 0) {
        return new Latency(0, 0, 0, 0);
      }
      return new Latency(
          ms(h.getValueAtPercentile(50)),
          ms(h.getValueAtPercentile(90)),
          ms(h.getValueAtPercentile(99)),
          ms(h.getMaxValue()));
    }

    private static double ms(long micros) {
      return micros / 1000.0;
    }
  }

  /** Totals over a range. */
  public record Summary(
      Instant from,
      Instant to,
      String resolution,
      long totalRequests,
      long rateLimitedRequests,
      Map<String, Long> statusCounts,
      Latency latencyMs,
      long cacheHits) {}

  /** One step of a time series; latency only for the unfiltered series. */
  public record Point(Instant time, long requests, long rateLimited, Latency latencyMs) {}

  /**
   * @param path the path filtered on, or null
   * @param ip the client IP filtered on, or null
   * @param rule the blocking rule filtered on (its requests are its 429s), or null
   */
  public record Series(
      String step,
      Instant from,
      Instant to,
      @io.swagger.v3.oas.annotations.media.Schema(types = {"string", "null"}) String path,
      @io.swagger.v3.oas.annotations.media.Schema(types = {"string", "null"}) String ip,
      @io.swagger.v3.oas.annotations.media.Schema(types = {"string", "null"}) String rule,
      List<Point> points) {}

  /** The key a series is filtered on, e.g. one path; {@link #NONE} for every request. */
  public record Filter(Dimension dimension, String key) {
    public static final Filter NONE = new Filter(null, null);

    String keyOf(Dimension d) {
      return d == dimension ? key : null;
    }
  }

  public Summary summary(Instant from, Instant to) {
    int resolution = resolutionFor(from);
    long f = floor(from, resolution);
    long t = ceilSeconds(to);
    return live.read(
        f * 1000,
        to.toEpochMilli(),
        memory -> {
          Aggregate sum = new Aggregate();
          for (StatsStore.TotalRow row : store.totals(resolution, f, t)) {
            sum.addTotals(row.requests(), row.rateLimited());
            sum.addLatency(row.latency());
          }
          store
              .keySums(resolution, Dimension.STATUS, f, t, MAX_KEYS_READ)
              .forEach((k, c) -> sum.addKey(Dimension.STATUS, k, c[0], c[1]));
          store
              .keySums(resolution, Dimension.CACHE, f, t, MAX_KEYS_READ)
              .forEach((k, c) -> sum.addKey(Dimension.CACHE, k, c[0], c[1]));
          memory.forEach(m -> sum.merge(m.counts()));
          Map<String, Long> statuses = new TreeMap<>();
          sum.keys(Dimension.STATUS).forEach(k -> statuses.put(k.key(), k.requests()));
          return new Summary(
              Instant.ofEpochSecond(f),
              to,
              label(resolution),
              sum.requests(),
              sum.rateLimited(),
              statuses,
              Latency.of(sum.latency()),
              sum.keys(Dimension.CACHE).stream()
                  .filter(k -> k.key().equals(Dimension.CACHE_HIT))
                  .mapToLong(KeyCount::requests)
                  .sum());
        });
  }

  /** The keys of a dimension with the most requests; the "(other)" remainder is left out. */
  public List<KeyCount> top(Dimension by, int limit, Instant from, Instant to) {
    int resolution = resolutionFor(from);
    long f = floor(from, resolution);
    long t = ceilSeconds(to);
    return live.read(
        f * 1000,
        to.toEpochMilli(),
        memory -> {
          Aggregate sum = new Aggregate();
          store
              .keySums(resolution, by, f, t, MAX_KEYS_READ)
              .forEach((k, c) -> sum.addKey(by, k, c[0], c[1]));
          memory.forEach(
              m ->
                  m.counts()
                      .keys(by)
                      .forEach(k -> sum.addKey(by, k.key(), k.requests(), k.rateLimited())));
          return sum.keys(by).stream()
              .filter(k -> !k.key().equals(Dimension.OTHER))
              .sorted(
                  Comparator.comparingLong(KeyCount::requests)
                      .reversed()
                      .thenComparing(KeyCount::key))
              .limit(limit)
              .toList();
        });
  }

  /**
   * Requests per step, zero-filled; filtered by one path, IP or rule when given (then from the
   * stored top keys: a key outside a minute's top counts as "(other)" there).
   */
  public Series timeseries(int step, Instant from, Instant to, Filter filter) {
    long f = floor(from, step);
    long t = ceilSeconds(to);
    Dimension dimension = filter.dimension();
    String key = filter.key();
    return live.read(
        f * 1000,
        to.toEpochMilli(),
        memory -> {
          Map<Long, Aggregate> steps = new LinkedHashMap<>();
          for (long s = f; s < t; s += step) {
            steps.put(s, new Aggregate());
          }
          if (dimension == null) {
            for (StatsStore.TotalRow row : store.totals(step, f, t)) {
              Aggregate a = steps.get(row.bucketStart());
              a.addTotals(row.requests(), row.rateLimited());
              a.addLatency(row.latency());
            }
          } else {
            store
                .keySeries(step, dimension, key, f, t)
                .forEach((s, c) -> steps.get(s).addTotals(c[0], c[1]));
          }
          for (LiveStats.Minute m : memory) {
            Aggregate a = steps.get(Math.floorDiv(m.startMillis() / 1000, step) * step);
            if (a == null) {
              continue;
            }
            if (dimension == null) {
              a.addTotals(m.counts().requests(), m.counts().rateLimited());
              a.addLatency(m.counts().latency());
            } else {
              long[] c = m.counts().key(dimension, key);
              a.addTotals(c[0], c[1]);
            }
          }
          List<Point> points = new ArrayList<>(steps.size());
          steps.forEach(
              (s, a) ->
                  points.add(
                      new Point(
                          Instant.ofEpochSecond(s),
                          a.requests(),
                          a.rateLimited(),
                          dimension == null ? Latency.of(a.latency()) : null)));
          return new Series(
              label(step),
              Instant.ofEpochSecond(f),
              to,
              filter.keyOf(Dimension.PATH),
              filter.keyOf(Dimension.IP),
              filter.keyOf(Dimension.RULE),
              points);
        });
  }

  /** Minute rows while they are retained for the whole range, hourly rollups beyond. */
  private int resolutionFor(Instant from) {
    Instant oldestMinute = clock.instant().minus(settings.minuteRetention());
    return from.isBefore(oldestMinute) ? StatsStore.HOUR : StatsStore.MINUTE;
  }

  private static long floor(Instant t, int seconds) {
    return Math.floorDiv(t.getEpochSecond(), seconds) * seconds;
  }

  private static long ceilSeconds(Instant t) {
    return Math.floorDiv(t.toEpochMilli() + 999, 1000);
  }

  static String label(int seconds) {
    return seconds == StatsStore.HOUR ? "1h" : "1m";
  }
}
