package io.tollgate.ratelimit.server;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.grpc.Status;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tollgate.ratelimit.config.ActiveConfig;
import io.tollgate.ratelimit.config.CompiledConfig;
import io.tollgate.ratelimit.limiter.RateLimitException;
import io.tollgate.ratelimit.limiter.RateLimiter;
import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.ratelimit.stats.ReferenceMetricsWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP port: the reference's {@code /json} (a {@code RateLimitRequest} in proto JSON; 200 for
 * OK, 429 for OVER_LIMIT, 400 for a bad request), {@code /healthcheck} (also {@code /healthz}),
 * {@code /rlconfig} (the active configuration) and {@code /metrics} (Prometheus).
 *
 * <p>A {@code /json} call spends quota like Envoy's calls (with any {@code hitsAddend}), so it
 * answers only peers on loopback unless {@code JSON_ALLOW_REMOTE} is set (403 otherwise), and with
 * {@code JSON_READ_ONLY} it only looks. The port itself may listen wide: Prometheus scrapes {@code
 * /metrics} and probes call {@code /healthcheck} from the pod network.
 *
 * <p>The JDK's HTTP server is enough here: these endpoints carry operators and scrapers, not
 * traffic (Envoy talks gRPC), and it adds no dependency or start-up time.
 */
public final class HttpEndpoints implements AutoCloseable {

  private static final int MAX_BODY_BYTES = 1 << 20;

  private final HttpServer server;
  private final ExecutorService executor;
  private final RateLimiter limiter;
  private final Settings.Json jsonSettings;
  private final Health health;
  private final ActiveConfig config;
  private final PrometheusMeterRegistry meters;
  private final ReferenceMetricsWriter referenceMetrics;
  private final JsonFormat.Parser parser = JsonFormat.parser();
  private final JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();

  public HttpEndpoints(
      String host,
      int port,
      RateLimiter limiter,
      Settings.Json jsonSettings,
      Health health,
      ActiveConfig config,
      PrometheusMeterRegistry meters,
      ReferenceMetricsWriter referenceMetrics)
      throws IOException {
    this.limiter = limiter;
    this.jsonSettings = jsonSettings;
    this.health = health;
    this.config = config;
    this.meters = meters;
    this.referenceMetrics = referenceMetrics;
    this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
    this.executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/json", this::json);
    server.createContext("/healthcheck", this::healthcheck);
    server.createContext("/healthz", this::healthcheck);
    server.createContext("/rlconfig", this::rlconfig);
    server.createContext("/metrics", this::metrics);
    server.createContext("/", this::notFound);
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void json(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!jsonSettings.allowRemote()
          && !exchange.getRemoteAddress().getAddress().isLoopbackAddress()) {
        problem(
            exchange,
            403,
            "peer",
            "/json answers only clients on loopback (it spends quota); JSON_ALLOW_REMOTE=true"
                + " opens it");
        return;
      }
      if (!"POST".equals(exchange.getRequestMethod())) {
        problem(exchange, 405, "method", "POST a RateLimitRequest as JSON to /json");
        return;
      }
      byte[] body = readBody(exchange.getRequestBody());
      if (body == null) {
        problem(exchange, 413, "body", "request body larger than " + MAX_BODY_BYTES + " bytes");
        return;
      }
      RateLimitRequest.Builder request = RateLimitRequest.newBuilder();
      try {
        parser.merge(new String(body, StandardCharsets.UTF_8), request);
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        problem(exchange, 400, "body", "not a RateLimitRequest: " + e.getMessage());
        return;
      }
      RateLimitResponse response;
      try {
        RateLimitRequest call = request.build();
        response =
            (jsonSettings.readOnly() ? limiter.peek(call) : limiter.shouldRateLimit(call))
                .get(10, TimeUnit.SECONDS);
      } catch (RateLimitException e) {
        problem(exchange, statusFor(e), "request", e.status().getDescription());
        return;
      } catch (ExecutionException e) {
        Status s = RateLimitGrpcService.toStatus(e.getCause());
        int code =
            e.getCause() instanceof RateLimitException r && r.storeFailure() ? 503 : statusFor(s);
        problem(exchange, code, "request", s.getDescription());
        return;
      } catch (TimeoutException e) {
        problem(exchange, 503, "request", "no decision within 10s");
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        problem(exchange, 503, "request", "interrupted");
        return;
      }
      int code = response.getOverallCode() == RateLimitResponse.Code.OVER_LIMIT ? 429 : 200;
      send(exchange, code, "application/json", printer.print(response));
    }
  }

  private static int statusFor(RateLimitException e) {
    return e.storeFailure() ? 503 : statusFor(e.status());
  }

  private static int statusFor(Status s) {
    return s.getCode() == Status.Code.INTERNAL ? 500 : 400;
  }

  private void healthcheck(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (health.healthy()) {
        send(exchange, 200, "text/plain", "OK");
      } else {
        send(exchange, 500, "text/plain", "NOT OK");
      }
    }
  }

  private void rlconfig(HttpExchange exchange) throws IOException {
    try (exchange) {
      CompiledConfig current = config.current();
      send(exchange, 200, "text/plain; charset=utf-8", current == null ? "" : current.dump());
    }
  }

  private void metrics(HttpExchange exchange) throws IOException {
    try (exchange) {
      StringBuilder out = new StringBuilder(meters.scrape());
      if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
        out.append('\n');
      }
      referenceMetrics.write(out);
      send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", out.toString());
    }
  }

  private void notFound(HttpExchange exchange) throws IOException {
    try (exchange) {
      problem(
          exchange,
          404,
          "path",
          "no such endpoint; try /json, /healthcheck, /rlconfig or /metrics");
    }
  }

  private static byte[] readBody(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    return body.length > MAX_BODY_BYTES ? null : body;
  }

  /** An RFC 9457 problem document naming what was wrong. */
  private static void problem(HttpExchange exchange, int status, String field, String detail)
      throws IOException {
    String body =
        "{\"type\":\"about:blank\",\"status\":"
            + status
            + ",\"title\":\""
            + escape(title(status))
            + "\",\"field\":\""
            + escape(field)
            + "\",\"detail\":\""
            + escape(String.valueOf(detail))
            + "\"}";
    send(exchange, status, "application/problem+json", body);
  }

  private static String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 413 -> "Payload Too Large";
      case 503 -> "Service Unavailable";
      default -> "Internal Server Error";
    };
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
