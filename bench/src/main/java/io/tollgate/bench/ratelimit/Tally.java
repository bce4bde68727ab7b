package io.tollgate.bench.ratelimit;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What one phase of the load produced. Touched only by the load generator's single event-loop
 * thread, so it needs no synchronisation; the main thread reads it through that event loop.
 */
final class Tally {

  private static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(60);

  private final boolean countsOverLimit;
  private final Histogram latency = new Histogram(HIGHEST_MICROS, 3);
  long ok;
  long overLimit;
  long errors;
  long skipped;
  int inFlight;

  /**
   * @param countsOverLimit whether the first field of a response is {@code
   *     RateLimitResponse.overall_code}, so that code 2 means OVER_LIMIT (not so for health checks)
   */
  Tally(boolean countsOverLimit) {
    this.countsOverLimit = countsOverLimit;
  }

  /** One answered call: its gRPC status, the first varint of its response, when it was due. */
  void answered(boolean grpcOk, int firstField, long intendedNanos) {
    if (!grpcOk) {
      errors++;
    } else if (countsOverLimit && firstField == 2) {
      overLimit++;
    } else {
      ok++;
    }
    long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - intendedNanos);
    latency.recordValue(Math.min(HIGHEST_MICROS, Math.max(1, micros)));
  }

  long decided() {
    return ok + overLimit;
  }

  Histogram latency() {
    return latency;
  }

  void reset() {
    latency.reset();
    ok = 0;
    overLimit = 0;
    errors = 0;
    skipped = 0;
  }
}
