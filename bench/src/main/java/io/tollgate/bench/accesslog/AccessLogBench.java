package io.tollgate.bench.accesslog;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tollgate.testsupport.Binaries;
import io.tollgate.testsupport.ControlPlaneProcess;
import io.tollgate.testsupport.ProcessCpu;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The access-log ingestion benchmark: starts the packaged control plane, pins it to one CPU ({@code
 * BENCH_CPU}, default 0), and streams synthetic entries into it over real gRPC on {@code
 * BENCH_STREAMS} concurrent streams (Envoy opens one per worker), as fast as gRPC flow control lets
 * it. A stream ends with a half-close that the server answers only after handling every message, so
 * the measured window covers entries actually ingested. Prints entries/s and CPU-microseconds per
 * entry of the control-plane process (utime + stime from /proc), and checks the control plane
 * counted every entry sent.
 */
public final class AccessLogBench {

  private final List<StreamAccessLogsMessage> batches;
  private final int entriesPerBatch;
  private final int streams;

  private AccessLogBench(int streams, int entriesPerBatch) {
    this.streams = streams;
    this.entriesPerBatch = entriesPerBatch;
    this.batches = SyntheticEntries.batches(256, entriesPerBatch, 42);
  }

  /**
   * Starts and pins its own control plane, unless {@code BENCH_XDS_PORT}, {@code BENCH_REST_URL}
   * and {@code BENCH_PID} name a running one.
   */
  public static void main(String[] args) throws Exception {
    int streams = intEnv("BENCH_STREAMS", 2);
    int batch = intEnv("BENCH_BATCH", 100);
    AccessLogBench bench = new AccessLogBench(streams, batch);
    String xdsPort = System.getenv("BENCH_XDS_PORT");
    if (xdsPort != null) {
      bench.measure(
          Integer.parseInt(xdsPort),
          System.getenv("BENCH_REST_URL"),
          Long.parseLong(System.getenv("BENCH_PID")),
          "not pinned");
      return;
    }
    String cpu = System.getenv().getOrDefault("BENCH_CPU", "0");
    try (ControlPlaneProcess cp =
        ControlPlaneProcess.builder(Binaries.repoRoot().resolve("config/tollgate.mock.yaml"))
            .jvmArg("-XX:TieredStopAtLevel=4")
            .jvmArg("-Xmx512m")
            .start()) {
      pin(cp.pid(), cpu);
      bench.measure(cp.xdsPort(), cp.baseUrl(), cp.pid(), "pinned to CPU " + cpu);
    }
  }

  private void measure(int xdsPort, String restUrl, long pid, String placement) throws Exception {
    int seconds = intEnv("BENCH_SECONDS", 20);
    int warmup = intEnv("BENCH_WARMUP_SECONDS", 10);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", xdsPort).usePlaintext().build();
    try {
      long before = totalRequests(restUrl);
      long sentBefore = sent.get();
      run(channel, warmup);
      long cpuStart = ProcessCpu.cpuMicros(pid);
      long start = System.nanoTime();
      long entries = run(channel, seconds);
      double elapsed = (System.nanoTime() - start) / 1e9;
      long cpuUsed = ProcessCpu.cpuMicros(pid) - cpuStart;
      long counted = totalRequests(restUrl) - before;
      long sentNow = sent.get() - sentBefore;
      System.out.printf(
          "access-log ingestion: %d entries in %.1f s over %d stream(s) of %d-entry batches,"
              + " control plane %s%n",
          entries, elapsed, streams, entriesPerBatch, placement);
      System.out.printf("  entries/s            %,.0f%n", entries / elapsed);
      System.out.printf("  CPU-us per entry     %.2f%n", (double) cpuUsed / entries);
      System.out.printf("  CPU busy             %.0f%% of one core%n", cpuUsed / 1e4 / elapsed);
      System.out.printf("  counted by the API   %,d (sent incl. warm-up: %,d)%n", counted, sentNow);
      if (counted != sentNow) {
        System.out.println("  MISMATCH: the control plane did not count every entry sent");
        System.exit(1);
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private final AtomicLong sent = new AtomicLong();

  /** Streams for {@code seconds}; returns the entries the server acknowledged. */
  private long run(ManagedChannel channel, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<CompletableFuture<Long>> done = new ArrayList<>();
    for (int s = 0; s < streams; s++) {
      done.add(stream(channel, s, deadline));
    }
    long total = 0;
    for (CompletableFuture<Long> f : done) {
      total += f.get(seconds + 60L, TimeUnit.SECONDS);
    }
    return total;
  }

  private CompletableFuture<Long> stream(ManagedChannel channel, int index, long deadline) {
    CompletableFuture<Long> done = new CompletableFuture<>();
    AtomicLong entries = new AtomicLong();
    AccessLogServiceGrpc.newStub(channel)
        .streamAccessLogs(
            new ClientResponseObserver<StreamAccessLogsMessage, StreamAccessLogsResponse>() {
              private int next = index * 31;
              private boolean first = true;
              private boolean closed;

              @Override
              public void beforeStart(ClientCallStreamObserver<StreamAccessLogsMessage> out) {
                out.setOnReadyHandler(
                    () -> {
                      while (!closed && out.isReady()) {
                        if (System.nanoTime() >= deadline) {
                          closed = true;
                          out.onCompleted();
                          return;
                        }
                        StreamAccessLogsMessage m = batches.get(next++ % batches.size());
                        if (first) {
                          m =
                              m.toBuilder()
                                  .setIdentifier(
                                      StreamAccessLogsMessage.Identifier.newBuilder()
                                          .setNode(Node.newBuilder().setId("bench-" + index))
                                          .setLogName("tollgate"))
                                  .build();
                          first = false;
                        }
                        out.onNext(m);
                        entries.addAndGet(entriesPerBatch);
                        sent.addAndGet(entriesPerBatch);
                      }
                    });
              }

              @Override
              public void onNext(StreamAccessLogsResponse value) {}

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                done.complete(entries.get());
              }
            });
    return done;
  }

  private static void pin(long pid, String cpu) throws Exception {
    Process p =
        new ProcessBuilder("taskset", "-a", "-p", "-c", cpu, Long.toString(pid))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("taskset failed: " + out);
    }
  }

  private static final Pattern TOTAL = Pattern.compile("\"totalRequests\":(\\d+)");

  /** Everything the control plane counted in the last day, live minute included. */
  private static long totalRequests(String restUrl) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            restUrl
                                + "/api/v1/stats/summary?from="
                                + java.time.Instant.now().minusSeconds(86_400)
                                + "&to="
                                + java.time.Instant.now().plusSeconds(3_600)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    Matcher m = TOTAL.matcher(r.body());
    if (r.statusCode() != 200 || !m.find()) {
      throw new IllegalStateException("summary answered " + r.statusCode() + ": " + r.body());
    }
    return Long.parseLong(m.group(1));
  }

  private static int intEnv(String name, int fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : Integer.parseInt(v);
  }
}
