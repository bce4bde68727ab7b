package io.tollgate.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One upstream endpoint whose answers a test sets and whose requests it counts: a JDK HTTP server
 * on a free loopback port, in the test's JVM. The nginx mock serves every path the same way on
 * every port and logs nothing, so it cannot be one failing endpoint beside healthy ones of the same
 * upstream, switch from healthy to failing during a test, or say how many tries reached it; this
 * can. Every answer (any method, any path) is {@code {"endpoint":"<name>","path":"<path>"}} with
 * the current status, after the current delay.
 */
public final class ControllableUpstream implements AutoCloseable {

  /**
   * How the endpoint answers.
   *
   * @param status every answer's status
   * @param delay how long each answer waits
   */
  public record Behaviour(int status, Duration delay) {

    public static Behaviour ok() {
      return new Behaviour(200, Duration.ZERO);
    }

    public static Behaviour failing(int status) {
      return new Behaviour(status, Duration.ZERO);
    }
  }

  private final String name;
  private final HttpServer server;
  private final ExecutorService threads;
  private final Map<String, LongAdder> requestsByPath = new ConcurrentHashMap<>();
  private volatile Behaviour behaviour;

  private ControllableUpstream(
      String name, HttpServer server, ExecutorService threads, Behaviour behaviour) {
    this.name = name;
    this.server = server;
    this.threads = threads;
    this.behaviour = behaviour;
  }

  /** Listens on 127.0.0.1 at a port the kernel picks (no race with other tests for it). */
  public static ControllableUpstream start(String name, Behaviour behaviour) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start upstream " + name, e);
    }
    // A thread per request: slow answers must not queue the others behind them.
    ExecutorService threads = Executors.newCachedThreadPool();
    ControllableUpstream upstream = new ControllableUpstream(name, server, threads, behaviour);
    server.createContext("/", upstream::answer);
    server.setExecutor(threads);
    server.start();
    return upstream;
  }

  /** Changes how every later request is answered. */
  public void behave(Behaviour next) {
    behaviour = next;
  }

  /** {@code http://127.0.0.1:<port>}, no trailing slash. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** {@code 127.0.0.1:<port>}: how Envoy's admin names this endpoint. */
  public String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** Requests received whose path starts with {@code pathPrefix}. */
  public long requests(String pathPrefix) {
    return requestsByPath.entrySet().stream()
        .filter(e -> e.getKey().startsWith(pathPrefix))
        .mapToLong(e -> e.getValue().sum())
        .sum();
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      requestsByPath.computeIfAbsent(path, p -> new LongAdder()).increment();
      Behaviour now = behaviour;
      if (!now.delay().isZero()) {
        // The slowness under test, not a wait for something to happen.
        try {
          Thread.sleep(now.delay().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      byte[] body =
          ("{\"endpoint\":\"" + name + "\",\"path\":\"" + path + "\"}\n")
              .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("content-type", "application/json");
      exchange.sendResponseHeaders(now.status(), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
