package io.tollgate.controlplane.stats;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.springframework.stereotype.Component;

/**
 * The statistics as Prometheus metrics. Fed once per sealed bucket rather than per entry, so they
 * cost ingestion nothing and lag at most one bucket. Labels are bounded: status code, method,
 * upstream cluster and rule (at most {@value #MAX_LABEL_VALUES} distinct values each, then
 * "other"); never IP or path.
 */
@Component
public class StatsMeters {

  static final int MAX_LABEL_VALUES = 200;

  private final MeterRegistry registry;
  private final Counter droppedMinutes;
  private final Counter droppedRequests;
  private final Counter flushFailures;
  private final Counter entries;
  private final Set<String> seenLabels = ConcurrentHashMap.newKeySet();
  private final AtomicLong p50 = new AtomicLong();
  private final AtomicLong p90 = new AtomicLong();
  private final AtomicLong p99 = new AtomicLong();

  StatsMeters(MeterRegistry registry, LiveStats live) {
    this.registry = registry;
    this.droppedMinutes =
        Counter.builder("tollgate.stats.dropped.minutes")
            .description("Minutes of statistics dropped because the database stayed unreachable")
            .register(registry);
    this.droppedRequests =
        Counter.builder("tollgate.stats.dropped.requests")
            .description("Requests in the dropped minutes")
            .register(registry);
    this.flushFailures =
        Counter.builder("tollgate.stats.flush.failures")
            .description("Failed attempts to write statistics to the database")
            .register(registry);
    this.entries =
        Counter.builder("tollgate.stats.entries")
            .description(
                "Access-log entries received; Envoys' logs_written minus this is what was lost")
            .register(registry);
    Gauge.builder("tollgate.stats.pending.minutes", live, LiveStats::pendingMinutes)
        .description("Completed minutes waiting to be written to the database")
        .register(registry);
    latencyGauge("0.5", p50);
    latencyGauge("0.9", p90);
    latencyGauge("0.99", p99);
  }

  private void latencyGauge(String quantile, AtomicLong micros) {
    ToDoubleFunction<AtomicLong> seconds = m -> m.get() / 1e6;
    Gauge.builder("tollgate.stats.latency", micros, seconds)
        .description("Request latency over the last sealed bucket, from the access log")
        .baseUnit("seconds")
        .tag("quantile", quantile)
        .register(registry);
  }

  /** Adds one sealed bucket (all stripes) to the counters. */
  void mirror(Aggregate sealed) {
    if (sealed.requests() == 0) {
      return;
    }
    entries.increment(sealed.entries());
    for (KeyCount k : sealed.keys(Dimension.STATUS)) {
      registry
          .counter("tollgate.stats.requests", "status", label("status", k.key()))
          .increment(k.requests());
    }
    for (KeyCount k : sealed.keys(Dimension.METHOD)) {
      registry
          .counter("tollgate.stats.method.requests", "method", label("method", k.key()))
          .increment(k.requests());
    }
    for (KeyCount k : sealed.keys(Dimension.UPSTREAM)) {
      registry
          .counter("tollgate.stats.upstream.requests", "upstream", label("upstream", k.key()))
          .increment(k.requests());
    }
    for (KeyCount k : sealed.keys(Dimension.RULE)) {
      registry
          .counter("tollgate.stats.rate.limited", "rule", label("rule", k.key()))
          .increment(k.rateLimited());
    }
    p50.set(sealed.latency().getValueAtPercentile(50));
    p90.set(sealed.latency().getValueAtPercentile(90));
    p99.set(sealed.latency().getValueAtPercentile(99));
  }

  void dropped(LiveStats.FlushResult result) {
    droppedMinutes.increment(result.dropped());
    droppedRequests.increment(result.droppedRequests());
  }

  void flushFailed() {
    flushFailures.increment();
  }

  private String label(String name, String value) {
    if (Dimension.OTHER.equals(value)) {
      return "other";
    }
    String key = name + '\0' + value;
    if (seenLabels.contains(key)) {
      return value;
    }
    if (seenLabels.size() < MAX_LABEL_VALUES * 4) {
      seenLabels.add(key);
      return value;
    }
    return "other";
  }
}
