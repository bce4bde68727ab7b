package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests through Envoy to the plain-HTTP mock come back as the upstream sent them. */
class ProxyPathIT {

  static TollgateStack stack;

  @BeforeAll
  static void start() {
    stack =
        TollgateStack.start(
            s ->
                """
                upstreams:
                  - name: mock
                    url: %s
                routes:
                  - name: default
                    match: { pathPrefix: / }
                    upstream: mock
                """
                    .formatted(s.mock().httpUrl()));
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void categoryComesBackWithTheUpstreamsStatusBodyAndContentType() {
    HttpResponse<String> direct = stack.getFromUpstream("/categories/MLA97994");
    HttpResponse<String> proxied = stack.get("/categories/MLA97994");

    assertThat(proxied.statusCode()).isEqualTo(200).isEqualTo(direct.statusCode());
    assertThat(proxied.body()).isEqualTo(direct.body()).contains("\"id\":\"MLA97994\"");
    assertThat(proxied.headers().firstValue("content-type"))
        .hasValue("application/json;charset=UTF-8")
        .isEqualTo(direct.headers().firstValue("content-type"));
    assertThat(stack.envoy().statOrZero("cluster.mock.upstream_rq_200")).isPositive();
  }

  @Test
  void unknownPathReturnsTheUpstreams404BodyUnchanged() {
    HttpResponse<String> direct = stack.getFromUpstream("/categories/MLA0000000");
    HttpResponse<String> proxied = stack.get("/categories/MLA0000000");

    assertThat(proxied.statusCode()).isEqualTo(404);
    assertThat(proxied.body())
        .isEqualTo(direct.body())
        .isEqualTo(
            "{\"message\":\"resource not found\",\"error\":\"not_found\",\"status\":404,"
                + "\"cause\":[]}\n");
    assertThat(proxied.headers().firstValue("content-type"))
        .hasValue("application/json;charset=UTF-8");
  }

  @Test
  void upstream5xxPassesThroughUnchanged() {
    HttpResponse<String> proxied = stack.get("/error/503");

    assertThat(proxied.statusCode()).isEqualTo(503);
    assertThat(proxied.body()).isEqualTo(stack.getFromUpstream("/error/503").body());
  }

  @Test
  void queryStringReachesTheUpstreamAsSent() {
    HttpResponse<String> proxied = stack.get("/echo?q=funda%20iphone&limit=3&attr=a&attr=b");

    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(proxied.body())
        .contains("\"path\":\"/echo\"")
        .contains("\"query\":\"q=funda%20iphone&limit=3&attr=a&attr=b\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
  void methodReachesTheUpstream(String method) {
    HttpResponse<String> proxied =
        stack.send(
            HttpRequest.newBuilder(URI.create(stack.proxyUrl() + "/echo?m=" + method))
                .header("content-type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString("{\"title\":\"x\"}")));

    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(proxied.body())
        .contains("\"method\":\"" + method + "\"")
        .contains("\"query\":\"m=" + method + "\"")
        .contains("\"content_length\":\"13\"");
  }

  @Test
  void headRequestGetsHeadersWithoutBody() {
    HttpResponse<String> proxied =
        stack.send(
            HttpRequest.newBuilder(URI.create(stack.proxyUrl() + "/sites/MLA"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));

    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(proxied.body()).isEmpty();
    assertThat(proxied.headers().firstValue("content-type"))
        .hasValue("application/json;charset=UTF-8");
  }
}
