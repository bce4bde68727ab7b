package io.tollgate.ratelimit.quota;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The RLQS endpoint's meters; names are listed in {@code ratelimit-service/README.md}. */
final class QuotaMetrics {

  /** Why a stream was ended by the service. */
  enum Rejection {
    DOMAIN,
    TOO_MANY_BUCKETS,
    INVALID,
    OVERLOADED,
    SHUTDOWN,
    INTERNAL
  }

  final AtomicInteger streams = new AtomicInteger();
  final AtomicInteger deniedBuckets = new AtomicInteger();
  final Counter reports;
  final Counter bucketReports;
  final Counter noLimit;
  final Counter storeFailures;
  private final Map<Assignment.Kind, Counter> assignments = new EnumMap<>(Assignment.Kind.class);
  final Counter abandoned;
  private final Map<Rejection, Counter> rejections = new EnumMap<>(Rejection.class);

  QuotaMetrics(MeterRegistry meters) {
    Gauge.builder("tollgate_ratelimit_rlqs_streams", streams, AtomicInteger::get)
        .description("Open RLQS streams (one per Envoy and quota domain)")
        .register(meters);
    Gauge.builder("tollgate_ratelimit_rlqs_denied_buckets", deniedBuckets, AtomicInteger::get)
        .description("Buckets of open streams whose last assignment is DENY_ALL")
        .register(meters);
    reports =
        Counter.builder("tollgate_ratelimit_rlqs_reports")
            .description("RLQS usage-report messages received")
            .register(meters);
    bucketReports =
        Counter.builder("tollgate_ratelimit_rlqs_bucket_reports")
            .description("Bucket usages in RLQS reports")
            .register(meters);
    noLimit =
        Counter.builder("tollgate_ratelimit_rlqs_no_limit_buckets")
            .description("Bucket usages reported for a bucket no limit applies to (allowed)")
            .register(meters);
    storeFailures =
        Counter.builder("tollgate_ratelimit_rlqs_store_failures")
            .description("RLQS reports whose counters the store failed to apply in time")
            .register(meters);
    for (Assignment.Kind kind : Assignment.Kind.values()) {
      assignments.put(
          kind,
          Counter.builder("tollgate_ratelimit_rlqs_assignments")
              .description("Quota assignments sent, by strategy")
              .tag("strategy", kind.name().toLowerCase(java.util.Locale.ROOT))
              .register(meters));
    }
    abandoned =
        Counter.builder("tollgate_ratelimit_rlqs_assignments")
            .description("Quota assignments sent, by strategy")
            .tag("strategy", "abandon")
            .register(meters);
    for (Rejection r : Rejection.values()) {
      rejections.put(
          r,
          Counter.builder("tollgate_ratelimit_rlqs_rejected_streams")
              .description("RLQS streams the service ended with an error, by reason")
              .tag("reason", r.name().toLowerCase(java.util.Locale.ROOT))
              .register(meters));
    }
  }

  void assigned(Assignment.Kind kind) {
    assignments.get(kind).increment();
  }

  void rejected(Rejection reason) {
    rejections.get(reason).increment();
  }
}
