package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.testsupport.ControllableUpstream;
import io.tollgate.testsupport.ControllableUpstream.Behaviour;
import io.tollgate.testsupport.Teardown;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Upstreams and routes created through the REST API on the real Envoy: a route to a second upstream
 * (a {@link ControllableUpstream}) is served within 2 s of its POST and gone once deleted, and a
 * name the config file declares wins over the REST entry of that name.
 */
@ExtendWith(SharedStack.class)
class RoutesThroughRestIT {

  private static final Duration SERVED_WITHIN = Duration.ofSeconds(2);
  private static final Duration DEADLINE = Duration.ofSeconds(15);
  private static final String SECOND_BODY = "\"endpoint\":\"second\"";

  private static final Teardown upstreams = new Teardown();

  static TollgateStack stack;
  static ControllableUpstream second;

  @BeforeAll
  static void useAFileWithoutACatchAllRoute(TollgateStack shared) {
    stack = shared;
    second = upstreams.add(ControllableUpstream.start("second", Behaviour.ok()));
    stack.use(fileRoutes(""));
  }

  @AfterEach
  void deleteTheRestEntries() {
    rest("DELETE", "/api/v1/routes/to-second", null);
    rest("DELETE", "/api/v1/upstreams/second", null);
  }

  /** Also what a failed test left: a route the file declared cannot be deleted before. */
  @AfterAll
  static void restoreTheSharedConfig() {
    stack.use(stack.httpMockConfig());
    new RoutesThroughRestIT().deleteTheRestEntries();
    stack.awaitEnvoyInSync(DEADLINE);
    upstreams.close();
  }

  @Test
  void aRouteToASecondUpstreamIsServedWithinTwoSecondsOfItsPostAndGoneOnceDeleted() {
    assertThat(stack.get("/second/items").statusCode()).isEqualTo(404);
    assertThat(rest("POST", "/api/v1/upstreams", upstream()).statusCode()).isEqualTo(201);

    long start = System.nanoTime();
    assertThat(rest("POST", "/api/v1/routes", route("/second/")).statusCode()).isEqualTo(201);
    stack.awaitProxy("/second/items", r -> r.body().contains(SECOND_BODY), DEADLINE);
    Duration served = Duration.ofNanos(System.nanoTime() - start);

    assertThat(served).isLessThan(SERVED_WITHIN);
    assertThat(second.requests("/second/items")).isPositive();

    assertThat(rest("DELETE", "/api/v1/routes/to-second", null).statusCode()).isEqualTo(204);
    stack.awaitProxy("/second/items", r -> r.statusCode() == 404, DEADLINE);
  }

  @Test
  void aNameTheFileDeclaresWinsOverTheRestEntry() {
    assertThat(rest("POST", "/api/v1/upstreams", upstream()).statusCode()).isEqualTo(201);
    assertThat(rest("POST", "/api/v1/routes", route("/shared/")).statusCode()).isEqualTo(201);
    stack.awaitProxy("/shared/items", r -> r.body().contains(SECOND_BODY), DEADLINE);

    // The file now declares a route of the same name, to the mock: the file's is in force.
    stack.use(
        fileRoutes("  - { name: to-second, match: { pathPrefix: /shared/ }, upstream: mock }\n"));

    HttpResponse<String> viaFile = stack.get("/shared/items");
    assertThat(viaFile.body()).doesNotContain(SECOND_BODY);
    assertThat(viaFile.statusCode()).isEqualTo(stack.getFromUpstream("/shared/items").statusCode());
    assertThat(rest("GET", "/api/v1/routes/to-second", null).body())
        .contains("\"shadowedByFile\":true");
    stack.use(fileRoutes(""));
  }

  private static String fileRoutes(String extraRoutes) {
    return """
        upstreams:
          - name: mock
            url: %s
        routes:
          - { name: mocked, match: { pathPrefix: /mocked/ }, upstream: mock }
        %s"""
        .formatted(stack.mock().httpUrl(), extraRoutes);
  }

  private static String upstream() {
    return "{\"name\":\"second\",\"url\":\"" + second.url() + "\"}";
  }

  private static String route(String prefix) {
    return "{\"name\":\"to-second\",\"match\":{\"pathPrefix\":\""
        + prefix
        + "\"},\"upstream\":\"second\"}";
  }

  private static HttpResponse<String> rest(String method, String path, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(stack.controlPlane().baseUrl() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .header("If-Match", "*");
    return stack.send(b);
  }
}
