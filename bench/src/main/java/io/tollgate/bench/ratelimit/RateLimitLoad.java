package io.tollgate.bench.ratelimit;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.tollgate.testsupport.ProcessCpu;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * An open-loop gRPC load generator for {@code ShouldRateLimit}. Calls are issued at a fixed rate
 * whatever the service's speed, and each latency is measured from the call's <em>intended</em>
 * start, so a stall shows in the percentiles instead of silently lowering the load (no coordinated
 * omission). Prints one {@code RESULT} line: decisions/s, p50/p99/p99.9 in microseconds, and the
 * service process's CPU microseconds per decision from {@code /proc}.
 *
 * <p>Settings (environment): {@code TARGET} host:port, {@code RATE} calls/s, {@code SECONDS},
 * {@code WARMUP_SECONDS}, {@code DESCRIPTORS} per call (1 or 3), {@code KEYS} distinct client
 * addresses, {@code CHANNELS}, {@code MAX_IN_FLIGHT}, {@code PID} of the service (for CPU), {@code
 * LABEL} echoed in the result, {@code CALL}: {@code should_rate_limit} (default) or {@code health},
 * the gRPC health check on the same server: the cost of a trivial unary call, the floor under every
 * decision.
 */
public final class RateLimitLoad {

  private static final HealthCheckRequest HEALTH =
      HealthCheckRequest.newBuilder().setService("ratelimit").build();

  private final RateLimitServiceGrpc.RateLimitServiceStub[] stubs;
  private final HealthGrpc.HealthStub[] health;
  private final boolean healthOnly;
  private final RateLimitRequest[] requests;
  private final int rate;
  private final int maxInFlight;
  private final Recorder recorder = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong overLimit = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();

  private RateLimitLoad(
      List<ManagedChannel> channels,
      int rate,
      int descriptors,
      int keys,
      int maxInFlight,
      boolean healthOnly) {
    this.stubs = new RateLimitServiceGrpc.RateLimitServiceStub[channels.size()];
    this.health = new HealthGrpc.HealthStub[channels.size()];
    for (int i = 0; i < stubs.length; i++) {
      stubs[i] = RateLimitServiceGrpc.newStub(channels.get(i));
      health[i] = HealthGrpc.newStub(channels.get(i));
    }
    this.healthOnly = healthOnly;
    this.rate = rate;
    this.maxInFlight = maxInFlight;
    this.requests = new RateLimitRequest[keys];
    for (int k = 0; k < keys; k++) {
      requests[k] = request(k, descriptors);
    }
  }

  /** What Envoy sends for a Tollgate rule: the rule's generic key, then the client's address. */
  static RateLimitRequest request(int key, int descriptors) {
    String ip = "10." + (key >> 16 & 255) + "." + (key >> 8 & 255) + "." + (key & 255);
    RateLimitRequest.Builder b =
        RateLimitRequest.newBuilder()
            .setDomain("bench")
            .addDescriptors(descriptor("generic_key", "per-ip", "remote_address", ip));
    if (descriptors >= 3) {
      b.addDescriptors(descriptor("generic_key", "per-path", "path", "/items/" + (key % 100)));
      b.addDescriptors(descriptor("generic_key", "per-method", "method", "GET"));
    }
    return b.build();
  }

  private static RateLimitDescriptor descriptor(String k1, String v1, String k2, String v2) {
    return RateLimitDescriptor.newBuilder()
        .addEntries(RateLimitDescriptor.Entry.newBuilder().setKey(k1).setValue(v1))
        .addEntries(RateLimitDescriptor.Entry.newBuilder().setKey(k2).setValue(v2))
        .build();
  }

  /** Issues calls for {@code seconds} at the set rate; returns the number issued. */
  private long run(double seconds) {
    long intervalNanos = 1_000_000_000L / rate;
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long issued = 0;
    while (true) {
      long intended = start + issued * intervalNanos;
      if (intended >= end) {
        return issued;
      }
      long wait = intended - System.nanoTime();
      if (wait > 50_000) {
        LockSupport.parkNanos(wait - 20_000);
        continue;
      }
      while (System.nanoTime() < intended) {
        Thread.onSpinWait();
      }
      issue(issued, intended);
      issued++;
    }
  }

  private void issue(long n, long intendedNanos) {
    if (inFlight.get() >= maxInFlight) {
      // Far behind: count the call as missed rather than queue without bound. Reported.
      skipped.incrementAndGet();
      return;
    }
    inFlight.incrementAndGet();
    if (healthOnly) {
      health[(int) (n % health.length)].check(
          HEALTH, new Completion<>(intendedNanos, r -> ok.incrementAndGet()));
      return;
    }
    RateLimitRequest request = requests[(int) (n % requests.length)];
    stubs[(int) (n % stubs.length)].shouldRateLimit(
        request,
        new Completion<>(
            intendedNanos,
            r ->
                (r.getOverallCode() == RateLimitResponse.Code.OK ? ok : overLimit)
                    .incrementAndGet()));
  }

  /** Counts a response and records its latency from the intended start. */
  private final class Completion<T> implements StreamObserver<T> {
    private final long intendedNanos;
    private final Consumer<T> onResponse;

    Completion(long intendedNanos, Consumer<T> onResponse) {
      this.intendedNanos = intendedNanos;
      this.onResponse = onResponse;
    }

    @Override
    public void onNext(T response) {
      onResponse.accept(response);
    }

    @Override
    public void onError(Throwable t) {
      errors.incrementAndGet();
      done();
    }

    @Override
    public void onCompleted() {
      done();
    }

    private void done() {
      inFlight.decrementAndGet();
      recorder.recordValue(
          Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - intendedNanos)));
    }
  }

  private void reset() {
    recorder.reset();
    ok.set(0);
    overLimit.set(0);
    errors.set(0);
    skipped.set(0);
  }

  private void drain() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  public static void main(String[] args) throws Exception {
    String target = env("TARGET", "127.0.0.1:8090");
    int rate = Integer.parseInt(env("RATE", "50000"));
    double seconds = Double.parseDouble(env("SECONDS", "20"));
    double warmup = Double.parseDouble(env("WARMUP_SECONDS", "10"));
    int descriptors = Integer.parseInt(env("DESCRIPTORS", "1"));
    int keys = Integer.parseInt(env("KEYS", "10000"));
    int channelCount = Integer.parseInt(env("CHANNELS", "4"));
    int maxInFlight = Integer.parseInt(env("MAX_IN_FLIGHT", "20000"));
    long pid = Long.parseLong(env("PID", "0"));
    String label = env("LABEL", "run");

    int colon = target.lastIndexOf(':');
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < channelCount; i++) {
      channels.add(
          NettyChannelBuilder.forAddress(
                  target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)))
              .usePlaintext()
              .directExecutor()
              .flowControlWindow(4 << 20)
              .build());
    }
    boolean healthOnly = "health".equals(env("CALL", "should_rate_limit"));
    RateLimitLoad load =
        new RateLimitLoad(channels, rate, descriptors, keys, maxInFlight, healthOnly);

    load.run(warmup);
    load.drain();
    load.reset();
    long self = ProcessHandle.current().pid();
    long cpuBefore = pid > 0 ? ProcessCpu.cpuMicros(pid) : 0;
    long selfBefore = ProcessCpu.cpuMicros(self);
    long started = System.nanoTime();
    long issued = load.run(seconds);
    load.drain();
    double elapsed = (System.nanoTime() - started) / 1e9;
    long cpuAfter = pid > 0 ? ProcessCpu.cpuMicros(pid) : 0;
    long selfAfter = ProcessCpu.cpuMicros(self);

    Histogram h = load.recorder.getIntervalHistogram();
    long decided = load.ok.get() + load.overLimit.get();
    double cpuPerDecision = decided > 0 && pid > 0 ? (double) (cpuAfter - cpuBefore) / decided : 0;
    System.out.printf(
        Locale.ROOT,
        "RESULT label=%s descriptors=%d rate=%d issued=%d decided=%d decisions_per_s=%.0f"
            + " over_limit=%d errors=%d skipped=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d"
            + " cpu_us_per_decision=%.2f client_cpu_us_per_call=%.2f%n",
        label,
        descriptors,
        rate,
        issued,
        decided,
        decided / elapsed,
        load.overLimit.get(),
        load.errors.get(),
        load.skipped.get(),
        h.getValueAtPercentile(50),
        h.getValueAtPercentile(99),
        h.getValueAtPercentile(99.9),
        h.getMaxValue(),
        cpuPerDecision,
        issued > 0 ? (double) (selfAfter - selfBefore) / issued : 0);
    channels.forEach(ManagedChannel::shutdownNow);
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isEmpty() ? fallback : v;
  }
}
