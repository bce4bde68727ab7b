package io.tollgate.bench.ratelimit;

import com.google.protobuf.MessageLite;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import io.tollgate.testsupport.ProcessCpu;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * An open-loop gRPC load generator for {@code ShouldRateLimit}. Calls are issued at a fixed rate
 * whatever the service's speed, and each latency is measured from the call's <em>intended</em>
 * start, so a stall shows in the percentiles instead of silently lowering the load (no coordinated
 * omission). Prints one {@code RESULT} line: decisions/s, p50/p99/p99.9 in microseconds, the
 * service process's CPU microseconds per decision from {@code /proc}, and the generator's own.
 *
 * <p>Settings (environment): {@code TARGET} host:port, {@code RATE} calls/s, {@code SECONDS},
 * {@code WARMUP_SECONDS}, {@code DESCRIPTORS} per call (1 or 3), {@code KEYS} distinct client
 * addresses, {@code CHANNELS} HTTP/2 connections, {@code TICK_MICROS} the shortest sleep between
 * sends, {@code PID} of the service (for CPU), {@code LABEL} echoed in the result, {@code CALL}:
 * {@code should_rate_limit} (default) or {@code health}, the gRPC health check on the same server:
 * the cost of a trivial unary call, the floor under every decision.
 */
public final class RateLimitLoad {

  private static final String SHOULD_RATE_LIMIT =
      "/envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit";
  private static final String HEALTH_CHECK = "/grpc.health.v1.Health/Check";

  private RateLimitLoad() {}

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

  /** A gRPC length-prefixed message: a zero compression flag, the length, the message. */
  private static byte[] framed(MessageLite message) {
    byte[] bytes = message.toByteArray();
    return ByteBuffer.allocate(5 + bytes.length)
        .put((byte) 0)
        .putInt(bytes.length)
        .put(bytes)
        .array();
  }

  public static void main(String[] args) throws Exception {
    String target = env("TARGET", "127.0.0.1:8090");
    int rate = Integer.parseInt(env("RATE", "50000"));
    double seconds = Double.parseDouble(env("SECONDS", "20"));
    double warmup = Double.parseDouble(env("WARMUP_SECONDS", "10"));
    int descriptors = Integer.parseInt(env("DESCRIPTORS", "1"));
    int keys = Integer.parseInt(env("KEYS", "10000"));
    int channelCount = Integer.parseInt(env("CHANNELS", "2"));
    long tickNanos = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(env("TICK_MICROS", "50")));
    long pid = Long.parseLong(env("PID", "0"));
    String label = env("LABEL", "run");
    boolean health = "health".equals(env("CALL", "should_rate_limit"));

    byte[][] bodies = new byte[health ? 1 : keys][];
    for (int k = 0; k < bodies.length; k++) {
      bodies[k] =
          framed(
              health
                  ? HealthCheckRequest.newBuilder().setService("ratelimit").build()
                  : request(k, descriptors));
    }
    byte[] headerBlock =
        Http2Wire.requestHeaderBlock(target, health ? HEALTH_CHECK : SHOULD_RATE_LIMIT);
    Tally tally = new Tally(!health);

    // Its stack-trace sampling of buffers would be a large share of the generator's cost.
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    try {
      EventLoop loop = group.next();
      int colon = target.lastIndexOf(':');
      GrpcConnection[] connections = new GrpcConnection[channelCount];
      for (int i = 0; i < channelCount; i++) {
        GrpcConnection c = new GrpcConnection(headerBlock, tally);
        new Bootstrap()
            .group(loop)
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(c)
            .connect(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)))
            .sync();
        connections[i] = c;
      }

      new OpenLoop(loop, connections, bodies, rate, warmup, tickNanos).start().get();
      drain(loop, tally);
      on(
          loop,
          () -> {
            tally.reset();
            return null;
          });
      long self = ProcessHandle.current().pid();
      long cpuBefore = pid > 0 ? ProcessCpu.cpuMicros(pid) : 0;
      long selfBefore = ProcessCpu.cpuMicros(self);
      long started = System.nanoTime();
      long issued = new OpenLoop(loop, connections, bodies, rate, seconds, tickNanos).start().get();
      drain(loop, tally);
      double elapsed = (System.nanoTime() - started) / 1e9;
      long cpuAfter = pid > 0 ? ProcessCpu.cpuMicros(pid) : 0;
      long selfAfter = ProcessCpu.cpuMicros(self);
      report(
          loop,
          tally,
          label,
          descriptors,
          rate,
          issued,
          elapsed,
          cpuAfter - cpuBefore,
          pid > 0,
          selfAfter - selfBefore);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private static void report(
      EventLoop loop,
      Tally tally,
      String label,
      int descriptors,
      int rate,
      long issued,
      double elapsed,
      long serviceCpu,
      boolean serviceKnown,
      long selfCpu)
      throws Exception {
    long[] counts =
        on(loop, () -> new long[] {tally.decided(), tally.overLimit, tally.errors, tally.skipped});
    Histogram h = on(loop, () -> tally.latency().copy());
    long decided = counts[0];
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
        counts[1],
        counts[2],
        counts[3],
        h.getValueAtPercentile(50),
        h.getValueAtPercentile(99),
        h.getValueAtPercentile(99.9),
        h.getMaxValue(),
        decided > 0 && serviceKnown ? (double) serviceCpu / decided : 0,
        issued > 0 ? (double) selfCpu / issued : 0);
  }

  /** Waits up to 10 s for the answers still in flight. */
  private static void drain(EventLoop loop, Tally tally) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (on(loop, () -> tally.inFlight) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  /** Runs {@code task} on the generator's event loop, where the tally lives, and waits for it. */
  private static <T> T on(EventLoop loop, Callable<T> task) throws Exception {
    return loop.submit(task).get();
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isEmpty() ? fallback : v;
  }
}
