package io.tollgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Debian's Prometheus on a free loopback port, scraping the given jobs every second and evaluating
 * the given rule files every second: a real Prometheus for the queries of the dashboards and the
 * expressions of the alert rules.
 */
public final class PrometheusServer implements AutoCloseable {

  /** A scrape job: its name (the dashboards' {@code job} label), metrics path and target. */
  public record Job(String name, String metricsPath, String target) {}

  private final Path dir;
  private final int port;
  private final ManagedProcess process;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private PrometheusServer(Path dir, int port, ManagedProcess process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** Starts it with {@code jobs} and {@code ruleFiles} (copied, so a test may pass repo files). */
  public static PrometheusServer start(List<Job> jobs, List<Path> ruleFiles) {
    Path dir = Scratch.create("prometheus");
    int port = FreePorts.next();
    try {
      StringBuilder config =
          new StringBuilder("global: { scrape_interval: 1s, evaluation_interval: 1s }\n");
      config.append("rule_files:\n");
      for (Path rules : ruleFiles) {
        Path copy = dir.resolve(rules.getFileName());
        Files.copy(rules, copy);
        config.append("  - ").append(copy).append('\n');
      }
      config.append("scrape_configs:\n");
      for (Job job : jobs) {
        config
            .append("  - job_name: ")
            .append(job.name())
            .append("\n    metrics_path: ")
            .append(job.metricsPath())
            .append("\n    static_configs: [{ targets: [\"")
            .append(job.target())
            .append("\"] }]\n");
      }
      Files.writeString(dir.resolve("prometheus.yml"), config.toString());
    } catch (IOException e) {
      Scratch.delete(dir);
      throw new UncheckedIOException(e);
    }
    ManagedProcess process =
        ManagedProcess.builder(
                "prometheus",
                List.of(
                    Binaries.prometheus().toString(),
                    "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port))
            .logDir(dir)
            .start();
    PrometheusServer server = new PrometheusServer(dir, port, process);
    try {
      process.awaitHttp(URI.create(server.baseUrl() + "/-/ready"), Duration.ofSeconds(30));
      return server;
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public ManagedProcess process() {
    return process;
  }

  /** The JSON body of an HTTP API call, e.g. {@code /api/v1/query?query=up}. */
  public String api(String path, Map<String, String> parameters) {
    String query =
        parameters.entrySet().stream()
            .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl() + path + (query.isEmpty() ? "" : "?" + query)))
            .timeout(Duration.ofSeconds(10))
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The JSON body of an instant query ({@code /api/v1/query}). */
  public String query(String expression) {
    return api("/api/v1/query", Map.of("query", expression));
  }

  @Override
  public void close() {
    try {
      process.close();
    } finally {
      Scratch.delete(dir);
    }
  }
}
