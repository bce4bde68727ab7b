package io.tollgate.ratelimit.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * The reference's service-wide counters: configuration loads, {@code ShouldRateLimit} errors by
 * type, global shadow mode overrides, and calls with their response times.
 */
public final class ServiceStats {

  /** Upper bounds (seconds) of the response-time histogram, Prometheus' client defaults. */
  static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private final LongAdder configLoadSuccess = new LongAdder();
  private final LongAdder configLoadError = new LongAdder();
  private final LongAdder redisError = new LongAdder();
  private final LongAdder serviceError = new LongAdder();
  private final LongAdder globalShadowMode = new LongAdder();
  private final LongAdder totalRequests = new LongAdder();
  private final LongAdder[] responseBuckets = new LongAdder[BUCKETS.length + 1];
  private final LongAdder responseNanos = new LongAdder();

  public ServiceStats() {
    for (int i = 0; i < responseBuckets.length; i++) {
      responseBuckets[i] = new LongAdder();
    }
  }

  public void configLoaded() {
    configLoadSuccess.increment();
  }

  public void configRejected() {
    configLoadError.increment();
  }

  public void redisError() {
    redisError.increment();
  }

  public void serviceError() {
    serviceError.increment();
  }

  public void globalShadowMode() {
    globalShadowMode.increment();
  }

  /** One {@code ShouldRateLimit} call that took {@code nanos}. */
  public void request(long nanos) {
    totalRequests.increment();
    responseNanos.add(nanos);
    double seconds = nanos / 1e9;
    int i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]) {
      i++;
    }
    responseBuckets[i].increment();
  }

  public long configLoadSuccess() {
    return configLoadSuccess.sum();
  }

  public long configLoadError() {
    return configLoadError.sum();
  }

  public long redisErrors() {
    return redisError.sum();
  }

  public long serviceErrors() {
    return serviceError.sum();
  }

  public long globalShadowModeCount() {
    return globalShadowMode.sum();
  }

  public long totalRequests() {
    return totalRequests.sum();
  }

  long responseNanos() {
    return responseNanos.sum();
  }

  /** Counts per bucket, not cumulative; the last is above every bound. */
  long[] responseBucketCounts() {
    long[] out = new long[responseBuckets.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = responseBuckets[i].sum();
    }
    return out;
  }
}
