package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.testsupport.ControlPlaneProcess;
import io.tollgate.testsupport.EnvoyProcess;
import io.tollgate.testsupport.FreePorts;
import io.tollgate.testsupport.MockUpstream;
import io.tollgate.testsupport.RateLimitServiceProcess;
import io.tollgate.testsupport.Scratch;
import io.tollgate.testsupport.Teardown;
import io.tollgate.testsupport.TestCa;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code TOLLGATE_XDS_MAX_CONNECTION_AGE}: the control plane recycles every gRPC connection so
 * streams spread over replicas; Envoy and the rate-limit service reconnect, get the snapshot again,
 * and a rule created after several recycles is enforced by both.
 */
class XdsConnectionAgeIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void envoyAndTheRateLimitServiceReconnectAndKeepFollowingTheRules() throws Exception {
    Path dir = Scratch.create("xds-age");
    try (Teardown started = new Teardown()) {
      MockUpstream mock =
          started.add(MockUpstream.start(TestCa.create(dir, "t").issueServerCertificate("mock")));
      int proxyPort = FreePorts.next();
      int rateLimitPort = FreePorts.next();
      Path config = dir.resolve("tollgate.yaml");
      Files.writeString(config, TollgateStack.proxyingTo(proxyPort, mock.httpUrl()));
      ControlPlaneProcess controlPlane =
          started.add(
              ControlPlaneProcess.builder(config)
                  .env("TOLLGATE_XDS_MAX_CONNECTION_AGE", "2s")
                  .env("TOLLGATE_XDS_MAX_CONNECTION_AGE_GRACE", "500ms")
                  .env("TOLLGATE_RATELIMIT_PORT", Integer.toString(rateLimitPort))
                  .start());
      RateLimitServiceProcess rateLimit =
          started.add(
              RateLimitServiceProcess.builder(controlPlane.xdsPort())
                  .grpcPort(rateLimitPort)
                  .start());
      EnvoyProcess envoy = started.add(EnvoyProcess.builder(controlPlane.xdsPort()).start());
      envoy.awaitListener(Duration.ofSeconds(60));
      envoy
          .process()
          .await(
              "Envoy to have been made to reconnect three times",
              Duration.ofSeconds(60),
              () -> envoy.statOrZero("cluster.tollgate_xds.upstream_cx_total") >= 4);
      rateLimit
          .process()
          .await(
              "the rate-limit service to have reconnected",
              Duration.ofSeconds(30),
              () -> rateLimit.process().logTail(400).contains("xDS stream to"));
      assertThat(get(proxyPort)).isEqualTo(200);

      HttpResponse<String> created =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(controlPlane.baseUrl() + "/api/v1/limits"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"name\":\"none\",\"match\":{},\"by\":[],"
                              + "\"limit\":{\"requests\":0,\"per\":\"minute\"}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      envoy
          .process()
          .await(
              "the new rule to be enforced (429)",
              Duration.ofSeconds(30),
              () -> get(proxyPort) == 429);
      assertThat(envoy.statOrZero("control_plane.connected_state")).isEqualTo(1);
    } finally {
      Scratch.delete(dir);
    }
  }

  private static int get(int port) {
    return ProxyGet.status(HTTP, port, "/categories/MLA97994");
  }
}
