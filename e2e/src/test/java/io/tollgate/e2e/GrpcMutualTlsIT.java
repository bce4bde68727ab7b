package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tollgate.testsupport.ControlPlaneProcess;
import io.tollgate.testsupport.EnvoyProcess;
import io.tollgate.testsupport.FreePorts;
import io.tollgate.testsupport.MockUpstream;
import io.tollgate.testsupport.RateLimitServiceProcess;
import io.tollgate.testsupport.Scratch;
import io.tollgate.testsupport.Teardown;
import io.tollgate.testsupport.TestCa;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The control plane's gRPC port under mutual TLS, with real processes: an Envoy and a rate-limit
 * service holding certificates of the test CA get their configuration and the Envoy's access log
 * reaches the statistics; a client without a certificate, with one from another CA, or with one of
 * another role fetches nothing and injects nothing. And the settings the port refuses: beyond
 * loopback without TLS, half a TLS setting.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GrpcMutualTlsIT {

  private static final Instant SINCE = Instant.now().minusSeconds(60);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static final Teardown started = new Teardown();
  private static Path dir;
  private static Path config;
  private static TestCa ca;
  private static TestCa otherCa;
  private static ControlPlaneProcess controlPlane;
  private static EnvoyProcess envoy;
  private static int proxyPort;

  @BeforeAll
  static void start() throws IOException {
    dir = Scratch.create("grpc-tls");
    try {
      ca = TestCa.create(dir, "xds");
      otherCa = TestCa.create(dir, "other");
      MockUpstream mock = started.add(MockUpstream.start(ca.issueServerCertificate("mock")));
      proxyPort = FreePorts.next();
      config = dir.resolve("tollgate.yaml");
      Files.writeString(config, TollgateStack.proxyingTo(proxyPort, mock.httpUrl()));
      controlPlane =
          started.add(
              ControlPlaneProcess.builder(config)
                  .xdsTls(ca.issueServerCertificate("control-plane"), ca.caFile())
                  .start());
      envoy =
          started.add(
              EnvoyProcess.builder(controlPlane.xdsPort())
                  .xdsTls(
                      ca.issueClientCertificate("envoy", TestCa.ENVOY_ROLE),
                      ca.caFile(),
                      "localhost")
                  .start());
      envoy.awaitListener(Duration.ofSeconds(60));
    } catch (RuntimeException | Error e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    started.close();
    Scratch.delete(dir);
  }

  @Test
  @Order(1)
  void anEnvoyWithACertificateOfTheCaIsConfiguredAndItsAccessLogArrives() {
    long before = totalRequests();
    for (int i = 0; i < 3; i++) {
      assertThat(proxyGet("/categories/MLA97994")).isEqualTo(200);
    }
    awaitTotal(before + 3);
    assertThat(envoy.statOrZero("cluster.tollgate_xds.ssl.handshake")).isPositive();
    assertThat(envoy.statOrZero("cluster.tollgate_xds.upstream_cx_active")).isPositive();
  }

  @Test
  @Order(2)
  void aRateLimitServiceWithACertificateGetsItsConfig() {
    try (RateLimitServiceProcess ratelimit =
        RateLimitServiceProcess.builder(controlPlane.xdsPort())
            .xdsTls(
                ca.issueClientCertificate("ratelimit", TestCa.RATELIMIT_ROLE),
                ca.caFile(),
                "localhost")
            .start()) {
      // start() returned: /healthcheck answers 200, which over xDS means a config arrived.
      controlPlane
          .process()
          .await(
              "the control plane to list the rate-limit service as a node",
              Duration.ofSeconds(20),
              () -> rest("/api/v1/xds/nodes").contains(ratelimit.nodeId()));
    }
  }

  @Test
  @Order(3)
  void clientsWithoutAValidCertificateFetchNothingAndInjectNothing() {
    long before = totalRequests();
    TestCa.ClientCertificate foreign =
        otherCa.issueClientCertificate("foreign-envoy", TestCa.ENVOY_ROLE);
    try (GrpcClientProbe plaintext = GrpcClientProbe.plaintext(controlPlane.xdsPort());
        GrpcClientProbe noCertificate =
            GrpcClientProbe.tls(controlPlane.xdsPort(), ca.caFile(), null);
        GrpcClientProbe otherCaCertificate =
            GrpcClientProbe.tls(controlPlane.xdsPort(), ca.caFile(), foreign)) {
      for (GrpcClientProbe rogue :
          new GrpcClientProbe[] {plaintext, noCertificate, otherCaCertificate}) {
        GrpcClientProbe.Outcome fetched = rogue.fetchListeners("rogue");
        assertThat(fetched.status().getCode())
            .as(fetched.toString())
            .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(fetched.resources()).isZero();
        GrpcClientProbe.Outcome pushed = rogue.pushForgedAccessLogs(envoy.nodeId(), 100);
        assertThat(pushed.status().getCode())
            .as(pushed.toString())
            .isEqualTo(Status.Code.UNAVAILABLE);
      }
    }
    assertOnlyRealTrafficCounted(before);
  }

  @Test
  @Order(4)
  void aRateLimitServiceCertificateMayFetchConfigButNotPushAccessLogs() {
    long before = totalRequests();
    try (GrpcClientProbe ratelimit =
            GrpcClientProbe.tls(
                controlPlane.xdsPort(),
                ca.caFile(),
                ca.issueClientCertificate("rogue-ratelimit", TestCa.RATELIMIT_ROLE));
        GrpcClientProbe roleless =
            GrpcClientProbe.tls(
                controlPlane.xdsPort(), ca.caFile(), ca.issueClientCertificate("roleless", null))) {
      assertThat(ratelimit.fetchListeners("rogue-ratelimit").status().isOk()).isTrue();
      GrpcClientProbe.Outcome pushed = ratelimit.pushForgedAccessLogs(envoy.nodeId(), 100);
      assertThat(pushed.status().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(pushed.status().getDescription())
          .contains("a client certificate of role [ratelimit (spiffe://tollgate/ratelimit)]")
          .contains("may not call envoy.service.accesslog.v3.AccessLogService")
          .contains("allowed: [envoy (spiffe://tollgate/envoy)]");

      GrpcClientProbe.Outcome fetched = roleless.fetchListeners("roleless");
      assertThat(fetched.status().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(fetched.status().getDescription())
          .contains("a client certificate naming no Tollgate role");
      assertThat(fetched.resources()).isZero();
      assertThat(roleless.pushForgedAccessLogs(envoy.nodeId(), 100).status().getCode())
          .isEqualTo(Status.Code.PERMISSION_DENIED);
    }
    assertOnlyRealTrafficCounted(before);
  }

  @Test
  @Order(5)
  void beyondLoopbackWithoutTlsTheControlPlaneRefusesToStart() {
    String log =
        ControlPlaneProcess.builder(config)
            .env("TOLLGATE_XDS_ADDRESS", "0.0.0.0")
            .startExpectingRefusal(Duration.ofSeconds(120));
    assertThat(log)
        .contains(
            "The gRPC port (xDS, access logs) would listen on 0.0.0.0, beyond loopback, without"
                + " authentication: set TOLLGATE_XDS_TLS_CERT, TOLLGATE_XDS_TLS_KEY and"
                + " TOLLGATE_XDS_TLS_CLIENT_CA (mutual TLS), or TOLLGATE_XDS_ADDRESS=127.0.0.1");
  }

  @Test
  @Order(6)
  void halfATlsSettingRefusesToStartNamingWhatIsMissing() {
    String log =
        ControlPlaneProcess.builder(config)
            .env("TOLLGATE_XDS_TLS_CERT", ca.caFile().toString())
            .startExpectingRefusal(Duration.ofSeconds(120));
    assertThat(log).contains("TOLLGATE_XDS_TLS_KEY and TOLLGATE_XDS_TLS_CLIENT_CA not set");
  }

  /**
   * One more real request, then the statistics: exactly it was added, and nothing from the forged
   * address (ingestion ran after the rogue attempts, so anything they injected would show).
   */
  private static void assertOnlyRealTrafficCounted(long before) {
    assertThat(proxyGet("/categories/MLA97994")).isEqualTo(200);
    awaitTotal(before + 1);
    assertThat(totalRequests()).isEqualTo(before + 1);
    assertThat(rest("/api/v1/stats/top?by=ip&limit=100&from=" + since()))
        .doesNotContain(GrpcClientProbe.FORGED_IP);
  }

  private static void awaitTotal(long expected) {
    controlPlane
        .process()
        .await(
            "the statistics to count " + expected + " requests",
            Duration.ofSeconds(30),
            () -> totalRequests() >= expected);
  }

  private static long totalRequests() {
    Matcher m =
        Pattern.compile("\"totalRequests\":(\\d+)")
            .matcher(rest("/api/v1/stats/summary?from=" + since()));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static String since() {
    return URLEncoder.encode(SINCE.toString(), StandardCharsets.UTF_8);
  }

  private static int proxyGet(String path) {
    return send(URI.create("http://127.0.0.1:" + proxyPort + path)).statusCode();
  }

  private static String rest(String pathAndQuery) {
    HttpResponse<String> response = send(URI.create(controlPlane.baseUrl() + pathAndQuery));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  private static HttpResponse<String> send(URI uri) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
