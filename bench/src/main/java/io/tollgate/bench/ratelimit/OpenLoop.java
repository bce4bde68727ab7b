package io.tollgate.bench.ratelimit;

import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Issues calls at a fixed rate whatever the service's speed, on the connections' event loop: each
 * wake-up sends every call already due (round-robin over connections and request bodies), flushes
 * once per connection and sleeps until the next call is due, but at least {@code tickNanos}, which
 * batches calls at high rates. Latency counts from each call's due time, so this batching and any
 * stall of the service show in the percentiles (no coordinated omission).
 */
final class OpenLoop implements Runnable {

  private final EventLoop loop;
  private final GrpcConnection[] connections;
  private final byte[][] bodies;
  private final long intervalNanos;
  private final long tickNanos;
  private final long total;
  private final CompletableFuture<Long> done = new CompletableFuture<>();
  private long start;
  private long issued;

  OpenLoop(
      EventLoop loop,
      GrpcConnection[] connections,
      byte[][] bodies,
      int rate,
      double seconds,
      long tickNanos) {
    this.loop = loop;
    this.connections = connections;
    this.bodies = bodies;
    this.intervalNanos = 1_000_000_000L / rate;
    this.tickNanos = tickNanos;
    this.total = (long) (seconds * rate);
  }

  /** Starts issuing; completes with the number of calls issued once the last one is sent. */
  CompletableFuture<Long> start() {
    loop.execute(
        () -> {
          start = System.nanoTime();
          run();
        });
    return done;
  }

  @Override
  public void run() {
    long due = Math.min(total, (System.nanoTime() - start) / intervalNanos + 1);
    for (; issued < due; issued++) {
      connections[(int) (issued % connections.length)].send(
          bodies[(int) (issued % bodies.length)], start + issued * intervalNanos);
    }
    for (GrpcConnection c : connections) {
      c.flush();
    }
    if (issued >= total) {
      done.complete(issued);
      return;
    }
    long untilNext = start + issued * intervalNanos - System.nanoTime();
    loop.schedule(this, Math.max(tickNanos, untilNext), TimeUnit.NANOSECONDS);
  }
}
