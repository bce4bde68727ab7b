package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An https upstream: trusted through the configured CA file it serves; verified against another CA
 * it fails closed with a 503, and Envoy's stats say why.
 */
class TlsUpstreamIT {

  static TollgateStack stack;

  @BeforeAll
  static void start() {
    stack =
        TollgateStack.start(
            s ->
                """
                upstreams:
                  - name: mock_tls
                    url: %s
                    caFile: %s
                  - name: wrong_ca
                    url: %s
                    caFile: %s
                routes:
                  - name: wrong-ca
                    match: { pathPrefix: /wrong-ca/ }
                    upstream: wrong_ca
                  - name: default
                    match: { pathPrefix: / }
                    upstream: mock_tls
                """
                    .formatted(
                        s.mock().httpsUrl(),
                        s.ca().caFile(),
                        s.mock().httpsUrl(),
                        s.otherCa().caFile()));
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void categoryComesBackOverTlsWithTheUpstreamsStatusBodyAndContentType() {
    long handshakesBefore = stack.envoy().statOrZero("cluster.mock_tls.ssl.handshake");

    HttpResponse<String> proxied = stack.get("/categories/MLA97994");
    HttpResponse<String> direct = stack.getFromUpstream("/categories/MLA97994");

    assertThat(proxied.statusCode()).isEqualTo(200);
    assertThat(proxied.body()).isEqualTo(direct.body()).contains("\"path_from_root\"");
    assertThat(proxied.headers().firstValue("content-type"))
        .hasValue("application/json;charset=UTF-8");
    assertThat(stack.envoy().statOrZero("cluster.mock_tls.upstream_rq_200")).isPositive();
    assertThat(stack.envoy().statOrZero("cluster.mock_tls.ssl.handshake"))
        .isGreaterThanOrEqualTo(Math.max(1, handshakesBefore));
    assertThat(stack.get("/echo").body()).contains("\"scheme\":\"https\"");
  }

  @Test
  void upstreamSignedByAnotherCaFailsWith503AndShowsInEnvoysStats() {
    HttpResponse<String> proxied = stack.get("/wrong-ca/categories/MLA97994");

    assertThat(proxied.statusCode()).isEqualTo(503);
    assertThat(proxied.body()).doesNotContain("MLA97994");
    long verifyFailures =
        stack.envoy().statOrZero("cluster.wrong_ca.ssl.fail_verify_error")
            + stack.envoy().statOrZero("cluster.wrong_ca.ssl.fail_verify_san");
    assertThat(verifyFailures).isPositive();
    assertThat(stack.envoy().statOrZero("cluster.wrong_ca.upstream_cx_connect_fail")).isPositive();
    assertThat(stack.envoy().statOrZero("cluster.wrong_ca.upstream_rq_200")).isZero();
  }
}
