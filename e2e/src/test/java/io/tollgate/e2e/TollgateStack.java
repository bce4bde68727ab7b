package io.tollgate.e2e;

import io.tollgate.testsupport.ControlPlaneProcess;
import io.tollgate.testsupport.EnvoyProcess;
import io.tollgate.testsupport.FreePorts;
import io.tollgate.testsupport.MockUpstream;
import io.tollgate.testsupport.Scratch;
import io.tollgate.testsupport.TestCa;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The whole proxy path on free loopback ports: a test CA (and an unrelated one), the nginx mock
 * over HTTP and TLS, the control plane serving a tollgate.yaml this stack owns, and Envoy fed by
 * it. Shared by the tests of a class; stopped in reverse order, even when starting fails.
 */
final class TollgateStack implements AutoCloseable {

  private final List<AutoCloseable> started = new ArrayList<>();
  private final Path dir;
  private final int proxyPort;
  private final Path config;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private TestCa ca;
  private TestCa otherCa;
  private MockUpstream mock;
  private ControlPlaneProcess controlPlane;
  private EnvoyProcess envoy;

  private TollgateStack() {
    this.dir = Scratch.create("e2e");
    this.proxyPort = FreePorts.next();
    this.config = dir.resolve("tollgate.yaml");
  }

  /**
   * Starts everything; {@code upstreamsAndRoutes} is the config below the listener line, written
   * with {@link #mock()}'s URLs and the CA files in hand.
   */
  static TollgateStack start(Function<TollgateStack, String> upstreamsAndRoutes) {
    TollgateStack stack = new TollgateStack();
    try {
      stack.ca = TestCa.create(stack.dir, "test");
      stack.otherCa = TestCa.create(stack.dir, "other");
      stack.mock = MockUpstream.start(stack.ca.issueServerCertificate("mock"));
      stack.started.add(stack.mock);
      stack.writeConfig(upstreamsAndRoutes.apply(stack));
      stack.controlPlane = ControlPlaneProcess.builder(stack.config).start();
      stack.started.add(stack.controlPlane);
      stack.envoy = EnvoyProcess.builder(stack.controlPlane.xdsPort()).start();
      stack.started.add(stack.envoy);
      stack.envoy.awaitListener(Duration.ofSeconds(30));
      stack
          .envoy
          .process()
          .await(
              "the proxy to answer",
              Duration.ofSeconds(10),
              () -> stack.tryGet("/healthz").map(r -> r.statusCode() == 200).orElse(false));
      return stack;
    } catch (RuntimeException | Error e) {
      stack.close();
      throw e;
    }
  }

  TestCa ca() {
    return ca;
  }

  /** A CA that signed nothing the mock serves. */
  TestCa otherCa() {
    return otherCa;
  }

  MockUpstream mock() {
    return mock;
  }

  ControlPlaneProcess controlPlane() {
    return controlPlane;
  }

  EnvoyProcess envoy() {
    return envoy;
  }

  int proxyPort() {
    return proxyPort;
  }

  String proxyUrl() {
    return "http://127.0.0.1:" + proxyPort;
  }

  /**
   * Replaces tollgate.yaml atomically (a rename, as editors and config management do), so the
   * control plane never reads half a file.
   */
  void writeConfig(String upstreamsAndRoutes) {
    String yaml =
        "listener: { address: 127.0.0.1, port: "
            + proxyPort
            + ", xffNumTrustedHops: 0 }\n"
            + upstreamsAndRoutes;
    try {
      Path tmp = dir.resolve("tollgate.yaml.tmp");
      Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
      Files.move(tmp, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + config, e);
    }
  }

  /** GET through the proxy. */
  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(proxyUrl() + path)).GET());
  }

  /** GET straight from the mock, bypassing Envoy: what the upstream itself answers. */
  HttpResponse<String> getFromUpstream(String path) {
    return send(HttpRequest.newBuilder(URI.create(mock.httpUrl() + path)).GET());
  }

  HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(
          request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Polls GET {@code path} through the proxy until {@code done} holds; returns how long it took.
   */
  Duration awaitProxy(String path, Predicate<HttpResponse<String>> done, Duration timeout) {
    long start = System.nanoTime();
    envoy
        .process()
        .await(
            "GET " + path + " through Envoy to answer as expected",
            timeout,
            () -> tryGet(path).map(done::test).orElse(false));
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private Optional<HttpResponse<String>> tryGet(String path) {
    try {
      return Optional.of(get(path));
    } catch (UncheckedIOException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        // Keep stopping the rest; a process left running would outlive the test.
      }
    }
    Scratch.delete(dir);
  }
}
