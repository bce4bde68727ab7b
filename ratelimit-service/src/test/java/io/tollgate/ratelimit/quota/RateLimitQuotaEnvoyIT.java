package io.tollgate.ratelimit.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tollgate.testsupport.Binaries;
import io.tollgate.testsupport.FreePorts;
import io.tollgate.testsupport.ManagedProcess;
import io.tollgate.testsupport.RateLimitServiceProcess;
import io.tollgate.testsupport.Scratch;
import io.tollgate.testsupport.Teardown;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Envoy 1.40 with the {@code rate_limit_quota} filter (static bootstrap: every request in
 * one bucket {@code {rule: approx}}) against the packaged service: Envoy accepts the service's
 * token-bucket and DENY_ALL assignments and enforces them (429), and after a restart of the service
 * it reopens its stream and reports again.
 */
class RateLimitQuotaEnvoyIT {

  private static final String CONFIG =
      """
      domain: tollgate
      descriptors:
        - key: rule
          value: approx
          rate_limit: {unit: hour, requests_per_unit: 2}
      """;

  private static final String BOOTSTRAP =
      """
      admin:
        address: {socket_address: {address: 127.0.0.1, port_value: %d}}
      static_resources:
        listeners:
        - name: ingress
          address: {socket_address: {address: 127.0.0.1, port_value: %d}}
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: ingress
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes:
                    - match: {prefix: "/"}
                      direct_response: {status: 200, body: {inline_string: "ok"}}
                http_filters:
                - name: envoy.filters.http.rate_limit_quota
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.rate_limit_quota.v3.RateLimitQuotaFilterConfig
                    rlqs_server: {envoy_grpc: {cluster_name: rlqs}}
                    domain: tollgate
                    bucket_matchers:
                      on_no_match:
                        action:
                          name: rate_limit_quota
                          typed_config:
                            "@type": type.googleapis.com/envoy.extensions.filters.http.rate_limit_quota.v3.RateLimitQuotaBucketSettings
                            bucket_id_builder:
                              bucket_id_builder:
                                rule: {string_value: approx}
                            reporting_interval: 1s
                            no_assignment_behavior:
                              fallback_rate_limit: {blanket_rule: ALLOW_ALL}
                - name: envoy.filters.http.router
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
        clusters:
        - name: rlqs
          type: STATIC
          connect_timeout: 1s
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              explicit_http_config: {http2_protocol_options: {}}
          load_assignment:
            cluster_name: rlqs
            endpoints:
            - lb_endpoints:
              - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}
      """;

  @TempDir Path config;
  private final Teardown teardown = new Teardown();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @AfterEach
  void stop() {
    teardown.close();
  }

  private int get(int port) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static double metric(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void envoyEnforcesTheAssignmentsAndReportsAgainAfterARestart() throws Exception {
    Files.writeString(config.resolve("tollgate.yaml"), CONFIG);
    RateLimitServiceProcess service =
        teardown.add(RateLimitServiceProcess.withConfigDir("rlqs", config, Map.of()));
    service.start();
    Path dir = Scratch.create("envoy-rlqs");
    teardown.add(() -> Scratch.delete(dir));
    int admin = FreePorts.next();
    int listener = FreePorts.next();
    Path bootstrap = dir.resolve("bootstrap.yaml");
    Files.writeString(bootstrap, BOOTSTRAP.formatted(admin, listener, service.grpcPort()));
    ManagedProcess envoy =
        teardown.add(
            ManagedProcess.builder(
                    "envoy-rlqs",
                    List.of(
                        Binaries.envoy().toString(),
                        "-c",
                        bootstrap.toString(),
                        "--use-dynamic-base-id",
                        "--concurrency",
                        "1",
                        "--log-level",
                        "info"))
                .workDir(dir)
                .start());
    envoy.awaitPort("127.0.0.1", listener, Duration.ofSeconds(30));

    // The first request: no assignment yet, so no_assignment_behavior (ALLOW_ALL) admits it and
    // Envoy reports the new bucket at once; the answer is a token bucket of the one request left.
    assertThat(get(listener)).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                metric(
                        service.metrics(),
                        "tollgate_ratelimit_rlqs_assignments_total{strategy=\"token_bucket\"}")
                    >= 1);
    long firstAssignment = System.nanoTime();
    int admitted = 1;
    int denied = 0;
    // Envoy reports every 5 s; once the service counts the limit spent it answers DENY_ALL.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline
        && metric(
                service.metrics(),
                "tollgate_ratelimit_rlqs_assignments_total{strategy=\"deny_all\"}")
            < 1) {
      if (get(listener) == 200) {
        admitted++;
      } else {
        denied++;
      }
      Thread.onSpinWait();
    }
    assertThat(metric(service.metrics(), "tollgate_ratelimit_rlqs_denied_buckets")).isEqualTo(1.0);
    // The token bucket held 1 token (a burst of one second of a 2-per-hour pace), so the limit
    // of 2 was never exceeded, and everything after it was answered 429.
    assertThat(admitted).isEqualTo(2);
    assertThat(denied).isPositive();
    for (int i = 0; i < 5; i++) {
      assertThat(get(listener)).isEqualTo(429);
    }
    System.out.printf(
        "RLQS with Envoy 1.40: %d admitted, %d denied; DENY_ALL %.1f s after the first"
            + " assignment; reports so far: %.0f%n",
        admitted,
        denied,
        (System.nanoTime() - firstAssignment) / 1e9,
        metric(service.metrics(), "tollgate_ratelimit_rlqs_reports_total"));

    // A restart of the service (memory store: counts start over): Envoy's stream breaks, it
    // reopens it on its next report timer and reports its bucket again.
    service.stop();
    service.start();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> metric(service.metrics(), "tollgate_ratelimit_rlqs_streams") == 1.0);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> metric(service.metrics(), "tollgate_ratelimit_rlqs_bucket_reports_total") >= 1);
  }
}
