package io.tollgate.testsupport;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The nginx mock upstream ({@code mock-upstream/}) on free loopback ports: MercadoLibre-like JSON
 * fixtures over HTTP and over TLS with a certificate from a {@link TestCa}. Its config is the same
 * template {@code mock-upstream/run.sh} renders.
 */
public final class MockUpstream implements AutoCloseable {

  private static final Path ECHO_MODULE = Path.of("/usr/lib/nginx/modules/ngx_http_echo_module.so");

  private final Path prefix;
  private final int httpPort;
  private final int httpsPort;
  private final ManagedProcess process;

  private MockUpstream(Path prefix, int httpPort, int httpsPort, ManagedProcess process) {
    this.prefix = prefix;
    this.httpPort = httpPort;
    this.httpsPort = httpsPort;
    this.process = process;
  }

  /**
   * Starts nginx with one worker (plenty for functional tests) and waits until both ports serve.
   */
  public static MockUpstream start(TestCa.ServerCertificate certificate) {
    return start(certificate, "1");
  }

  /** Starts nginx with {@code workers} worker processes ({@code auto}: one per core). */
  public static MockUpstream start(TestCa.ServerCertificate certificate, String workers) {
    if (!Files.isReadable(ECHO_MODULE)) {
      throw new IllegalStateException(
          ECHO_MODULE + " missing; run `scripts/deps.sh test` (libnginx-mod-http-echo)");
    }
    Path home = Binaries.repoRoot().resolve("mock-upstream");
    Path prefix = Scratch.create("nginx");
    // Workers may run unprivileged: they serve a copy under the world-readable prefix.
    Scratch.copyTree(home.resolve("fixtures"), prefix.resolve("html"));
    int httpPort = FreePorts.next();
    int httpsPort = FreePorts.next();
    Path conf =
        Templates.renderTo(
            home.resolve("nginx.conf"),
            Map.of(
                "NGINX_ECHO_MODULE", ECHO_MODULE.toString(),
                "MOCK_WORKERS", workers,
                "MOCK_PREFIX", prefix.toString(),
                "MOCK_HOME", home.toString(),
                "MOCK_ADDRESS", "127.0.0.1",
                "MOCK_HTTP_PORT", Integer.toString(httpPort),
                "MOCK_HTTPS_PORT", Integer.toString(httpsPort),
                "MOCK_CERT", certificate.certFile().toString(),
                "MOCK_KEY", certificate.keyFile().toString()),
            prefix.resolve("nginx.conf"));
    ManagedProcess process =
        ManagedProcess.builder(
                "nginx",
                List.of(
                    Binaries.nginx().toString(),
                    "-p",
                    prefix.toString(),
                    "-e",
                    prefix.resolve("error.log").toString(),
                    "-c",
                    conf.toString(),
                    "-g",
                    "daemon off;"))
            .start();
    MockUpstream mock = new MockUpstream(prefix, httpPort, httpsPort, process);
    try {
      process.awaitHttp(URI.create(mock.httpUrl() + "/healthz"), Duration.ofSeconds(20));
      process.awaitPort("127.0.0.1", httpsPort, Duration.ofSeconds(5));
      return mock;
    } catch (RuntimeException e) {
      mock.close();
      throw e;
    }
  }

  public int httpPort() {
    return httpPort;
  }

  public int httpsPort() {
    return httpsPort;
  }

  /** {@code http://127.0.0.1:<port>}, no trailing slash. */
  public String httpUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  /** {@code https://localhost:<port>}: a name the server certificate carries. */
  public String httpsUrl() {
    return httpsUrl("localhost");
  }

  /** The TLS listener under another name the certificate carries, e.g. {@link TestCa#SNI_NAME}. */
  public String httpsUrl(String host) {
    return "https://" + host + ":" + httpsPort;
  }

  /**
   * The request lines ({@code GET /cache/a?x HTTP/1.1}) of every request that reached the mock
   * under {@code /cache/}, in order: what the response cache let through.
   */
  public List<String> cacheRequests() {
    Path log = prefix.resolve("cache-access.log");
    try {
      if (!Files.exists(log)) {
        return List.of();
      }
      return Files.readAllLines(log).stream()
          .map(
              line ->
                  line.substring(line.indexOf('"') + 1, line.indexOf('"', line.indexOf('"') + 1)))
          .toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public ManagedProcess process() {
    return process;
  }

  @Override
  public void close() {
    process.stop();
    Scratch.delete(prefix);
  }
}
