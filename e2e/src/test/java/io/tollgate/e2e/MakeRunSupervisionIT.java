package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code make run} survives a crash: with steady traffic through Envoy and a limit rule that makes
 * Envoy ask the rate-limit service about every request, a SIGKILLed rate-limit service is restarted
 * by {@code scripts/run.sh} within seconds (logged and counted) while every request is still
 * answered by the upstream (Envoy fails open); SIGTERM then stops every child.
 */
class MakeRunSupervisionIT {

  private static final String SERVICE = "ratelimit-service";
  private static final String UPSTREAM_BODY = "\"id\":\"MLA97994\"";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void aKilledRateLimitServiceIsRestartedWhileTrafficFlowsAndSigtermStopsEverything()
      throws Exception {
    try (MakeRun run = MakeRun.start()) {
      HttpResponse<String> created =
          send(
              HttpRequest.newBuilder(URI.create(run.restUrl() + "/api/v1/limits"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          """
                          {"name":"per-ip","match":{},"by":["ip"],
                           "limit":{"requests":1000000,"per":"minute"}}
                          """)));
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      run.script()
          .await(
              "the rate-limit service to count requests through Envoy",
              Duration.ofSeconds(30),
              () -> proxied(run).statusCode() == 200 && countsRequests(run));

      Traffic traffic = new Traffic(run);
      Thread sender = new Thread(traffic, "traffic");
      sender.start();
      try {
        long killed = run.pid(SERVICE).orElseThrow();
        ProcessHandle.of(killed).orElseThrow().destroyForcibly();
        long at = System.nanoTime();
        int sentBefore = traffic.sent.get();

        run.script()
            .await(
                "the rate-limit service to be restarted and healthy",
                Duration.ofSeconds(60),
                () ->
                    run.pid(SERVICE).filter(p -> p != killed).isPresent()
                        && status(run.rateLimitUrl() + "/healthcheck") == 200);
        Duration back = Duration.ofNanos(System.nanoTime() - at);
        int sentDuringOutage = traffic.sent.get() - sentBefore;
        assertThat(back).as("back within seconds").isLessThan(Duration.ofSeconds(30));
        assertThat(run.output())
            .contains("tollgate: " + SERVICE + " exited (signal KILL); restart 1 in 1s");
        assertThat(run.restarts(SERVICE)).isEqualTo(1);
        assertThat(run.restarts("envoy")).isZero();
        // The new one takes its rules over xDS and Envoy consults it again.
        run.script()
            .await(
                "the restarted rate-limit service to count requests",
                Duration.ofSeconds(30),
                () -> countsRequests(run));
        assertThat(sentDuringOutage).as("requests sent while it was down").isPositive();
      } finally {
        traffic.running.set(false);
        sender.join(10_000);
      }
      assertThat(traffic.failures).as("requests not answered by the upstream").isEmpty();
      assertThat(traffic.sent.get()).isGreaterThan(10);

      List<ProcessHandle> children = run.processes();
      assertThat(children).hasSizeGreaterThanOrEqualTo(4);
      run.stop();
      assertThat(run.output()).contains("tollgate: stopping").contains("tollgate: stopped");
      assertThat(children.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid))
          .as("processes left behind")
          .isEmpty();
    }
  }

  /** Whether the running rate-limit service has counted a call for the rule. */
  private boolean countsRequests(MakeRun run) {
    try {
      String metrics =
          send(HttpRequest.newBuilder(URI.create(run.rateLimitUrl() + "/metrics"))).body();
      return metrics
          .lines()
          .anyMatch(
              l ->
                  l.startsWith("ratelimit_service_rate_limit_total_hits{")
                      && l.contains("rule_per-ip")
                      && !l.endsWith(" 0"));
    } catch (IOException e) {
      return false;
    }
  }

  private HttpResponse<String> proxied(MakeRun run) {
    try {
      return send(
          HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + run.proxyPort() + "/categories/MLA97994")));
    } catch (IOException e) {
      throw new IllegalStateException("Envoy did not answer", e);
    }
  }

  private int status(String url) {
    try {
      return send(HttpRequest.newBuilder(URI.create(url))).statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
    try {
      return http.send(
          request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Requests through Envoy one after another, each one's failure kept. */
  private final class Traffic implements Runnable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger sent = new AtomicInteger();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final MakeRun run;

    Traffic(MakeRun run) {
      this.run = run;
    }

    @Override
    public void run() {
      while (running.get()) {
        try {
          HttpResponse<String> r = proxied(run);
          if (r.statusCode() != 200 || !r.body().contains(UPSTREAM_BODY)) {
            failures.add(r.statusCode() + " " + r.body());
          }
        } catch (RuntimeException e) {
          failures.add(String.valueOf(e.getCause()));
        }
        sent.incrementAndGet();
        try {
          // Pacing, not synchronising: a steady trickle of requests across the crash and restart.
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
