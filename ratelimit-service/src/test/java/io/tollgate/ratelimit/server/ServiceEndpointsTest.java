package io.tollgate.ratelimit.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.tollgate.ratelimit.RateLimitApplication;
import io.tollgate.ratelimit.settings.Settings;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service on its real ports, in this JVM: gRPC, health, and every HTTP endpoint. */
class ServiceEndpointsTest {

  private static final String CONFIG =
      """
      domain: tollgate
      descriptors:
        - key: generic_key
          value: categories
          descriptors:
            - key: remote_address
              rate_limit: {name: categories-per-ip, unit: minute, requests_per_unit: 2}
      """;

  @TempDir Path root;
  private RateLimitApplication app;
  private ManagedChannel channel;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws IOException {
    Files.createDirectories(root.resolve("config"));
    Files.writeString(root.resolve("config/tollgate.yaml"), CONFIG);
    start(Map.of());
  }

  /** Starts the service with the test's settings plus {@code more}. */
  private void start(Map<String, String> more) throws IOException {
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "RUNTIME_ROOT", root.toString(),
                "GRPC_HOST", "127.0.0.1",
                "GRPC_PORT", "0",
                "HOST", "127.0.0.1",
                "PORT", "0",
                "CONFIG_POLL_INTERVAL", "50ms"));
    env.putAll(more);
    app = RateLimitApplication.start(Settings.fromEnv(env), atAMinuteStart());
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", app.grpcPort()).usePlaintext().build();
  }

  /** The same service with other settings. */
  private void restart(Map<String, String> more) throws IOException {
    stop();
    start(more);
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    app.close();
  }

  private static RateLimitRequest call(String domain, String ip) {
    return RateLimitRequest.newBuilder()
        .setDomain(domain)
        .addDescriptors(
            RateLimitDescriptor.newBuilder()
                .addEntries(entry("generic_key", "categories"))
                .addEntries(entry("remote_address", ip)))
        .build();
  }

  private static RateLimitDescriptor.Entry entry(String k, String v) {
    return RateLimitDescriptor.Entry.newBuilder().setKey(k).setValue(v).build();
  }

  @Test
  void grpcDecidesAndReportsHealthUnderBothServiceNames() {
    var stub = RateLimitServiceGrpc.newBlockingStub(channel);
    assertThat(stub.shouldRateLimit(call("tollgate", "10.0.0.1")).getOverallCode())
        .isEqualTo(RateLimitResponse.Code.OK);
    stub.shouldRateLimit(call("tollgate", "10.0.0.1"));
    RateLimitResponse over = stub.shouldRateLimit(call("tollgate", "10.0.0.1"));
    assertThat(over.getOverallCode()).isEqualTo(RateLimitResponse.Code.OVER_LIMIT);
    assertThat(over.getDynamicMetadata().getFieldsOrThrow("rule").getStringValue())
        .isEqualTo("categories-per-ip");

    var health = HealthGrpc.newBlockingStub(channel);
    for (String service : new String[] {"", "ratelimit"}) {
      assertThat(
              health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
          .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }
  }

  @Test
  void malformedGrpcRequestsGetAClearStatus() {
    var stub = RateLimitServiceGrpc.newBlockingStub(channel);
    assertThatThrownBy(() -> stub.shouldRateLimit(call("", "10.0.0.1")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("rate limit domain must not be empty");
            });
    RateLimitRequest badUnit =
        RateLimitRequest.newBuilder()
            .setDomain("tollgate")
            .addDescriptors(
                RateLimitDescriptor.newBuilder()
                    .addEntries(entry("a", "b"))
                    .setLimit(
                        RateLimitDescriptor.RateLimitOverride.newBuilder()
                            .setRequestsPerUnit(1)
                            .setUnitValue(42)))
            .build();
    assertThatThrownBy(() -> stub.shouldRateLimit(badUnit))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("unknown unit: 42");
            });
    // The service is still fine.
    assertThat(stub.shouldRateLimit(call("tollgate", "10.9.9.9")).getOverallCode())
        .isEqualTo(RateLimitResponse.Code.OK);
  }

  @Test
  void jsonAnswers200Then429AndRejectsBadRequestsWith400() throws Exception {
    String body =
        """
        {"domain":"tollgate","descriptors":[{"entries":[
          {"key":"generic_key","value":"categories"},{"key":"remote_address","value":"1.2.3.4"}]}]}
        """;
    HttpResponse<String> first = post("/json", body);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).contains("\"overallCode\":\"OK\"").contains("\"requestsPerUnit\":2");
    post("/json", body);
    HttpResponse<String> third = post("/json", body);
    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(third.body()).contains("\"overallCode\":\"OVER_LIMIT\"");

    HttpResponse<String> garbage = post("/json", "{not json");
    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(garbage.headers().firstValue("content-type")).hasValue("application/problem+json");
    HttpResponse<String> unknownField = post("/json", "{\"domian\":\"x\"}");
    assertThat(unknownField.statusCode()).isEqualTo(400);
    assertThat(unknownField.body()).contains("domian");
    HttpResponse<String> noDomain =
        post("/json", "{\"descriptors\":[{\"entries\":[{\"key\":\"a\"}]}]}");
    assertThat(noDomain.statusCode()).isEqualTo(400);
    assertThat(noDomain.body()).contains("rate limit domain must not be empty");
  }

  private static final String SPEND_IT_ALL =
      """
      {"domain":"tollgate","hitsAddend":100000000,"descriptors":[{"entries":[
        {"key":"generic_key","value":"categories"},{"key":"remote_address","value":"5.6.7.8"}]}]}
      """;

  @Test
  void jsonAnswersOnlyLoopbackPeersUnlessAllowedWhileMetricsAnswerEveryone() throws Exception {
    InetAddress local = nonLoopbackAddress();
    assumeTrue(local != null, "this machine has no non-loopback address to call from");
    restart(Map.of("HOST", "0.0.0.0"));
    String remote = "http://" + local.getHostAddress() + ":" + app.httpPort();

    HttpResponse<String> refused = post(remote, "/json", SPEND_IT_ALL);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(refused.body()).contains("\"field\":\"peer\"").contains("JSON_ALLOW_REMOTE");
    assertThat(send(remote, "/metrics").statusCode()).isEqualTo(200);
    assertThat(send(remote, "/healthcheck").statusCode()).isEqualTo(200);
    // Nothing was spent: the client still has its quota.
    assertThat(
            RateLimitServiceGrpc.newBlockingStub(channel)
                .shouldRateLimit(call("tollgate", "5.6.7.8"))
                .getOverallCode())
        .isEqualTo(RateLimitResponse.Code.OK);

    restart(Map.of("HOST", "0.0.0.0", "JSON_ALLOW_REMOTE", "true"));
    remote = "http://" + local.getHostAddress() + ":" + app.httpPort();
    assertThat(post(remote, "/json", SPEND_IT_ALL).statusCode()).isEqualTo(429);
  }

  @Test
  void readOnlyJsonAnswersTheDecisionWithoutSpendingQuota() throws Exception {
    restart(Map.of("JSON_READ_ONLY", "true"));
    HttpResponse<String> wouldBlock = post("/json", SPEND_IT_ALL);
    assertThat(wouldBlock.statusCode()).isEqualTo(429);
    assertThat(wouldBlock.body()).contains("\"overallCode\":\"OVER_LIMIT\"");
    String one = SPEND_IT_ALL.replace("\"hitsAddend\":100000000,", "");
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = post("/json", one);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"limitRemaining\":1");
    }

    var stub = RateLimitServiceGrpc.newBlockingStub(channel);
    assertThat(stub.shouldRateLimit(call("tollgate", "5.6.7.8")).getOverallCode())
        .isEqualTo(RateLimitResponse.Code.OK);
    assertThat(stub.shouldRateLimit(call("tollgate", "5.6.7.8")).getOverallCode())
        .isEqualTo(RateLimitResponse.Code.OK);
    assertThat(post("/json", one).statusCode()).isEqualTo(429);
    assertThat(stub.shouldRateLimit(call("tollgate", "5.6.7.8")).getOverallCode())
        .isEqualTo(RateLimitResponse.Code.OVER_LIMIT);
    // Only Envoy's three calls are in the per-limit statistics.
    assertThat(get("/metrics").body())
        .contains(
            "ratelimit_service_rate_limit_total_hits{domain=\"tollgate\","
                + "key1=\"generic_key_categories\",key2=\"remote_address\"} 3");
  }

  /**
   * The system clock moved back to the start of its minute: the calls of a test count in one
   * per-minute window (windows start on the minute), and a roll-over between them would reset the
   * count (this failed once at :59); no test runs near a minute.
   */
  private static Clock atAMinuteStart() {
    Clock system = Clock.systemUTC();
    return Clock.offset(system, Duration.ofMillis(-(system.millis() % 60_000)));
  }

  /** An address of this machine beyond loopback, or null. */
  private static InetAddress nonLoopbackAddress() throws IOException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address) {
          return address;
        }
      }
    }
    return null;
  }

  @Test
  void healthcheckRlconfigAndMetricsUseTheReferenceFormats() throws Exception {
    assertThat(get("/healthcheck").statusCode()).isEqualTo(200);
    assertThat(get("/healthcheck").body()).isEqualTo("OK");
    assertThat(get("/rlconfig").body())
        .isEqualTo(
            "tollgate.generic_key_categories.remote_address: unit=MINUTE requests_per_unit=2,"
                + " shadow_mode: false, quota_mode: false\n");
    post(
        "/json",
        "{\"domain\":\"tollgate\",\"descriptors\":[{\"entries\":["
            + "{\"key\":\"generic_key\",\"value\":\"categories\"},"
            + "{\"key\":\"remote_address\",\"value\":\"9.9.9.9\"}]}]}");
    String metrics = get("/metrics").body();
    assertThat(metrics)
        .contains("# TYPE ratelimit_service_rate_limit_total_hits counter")
        .contains(
            "ratelimit_service_rate_limit_total_hits{domain=\"tollgate\","
                + "key1=\"generic_key_categories\",key2=\"remote_address\"} 1")
        .contains("ratelimit_service_rate_limit_within_limit{")
        .contains("ratelimit_service_config_load_success 1")
        .contains("ratelimit_service_config_load_error 0")
        .contains("ratelimit_service_should_rate_limit_error{err_type=\"redis_error\"} 0")
        .contains("tollgate_ratelimit_store_latency_seconds_bucket")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void aBrokenFileIsCountedAndTheLastGoodConfigurationStays() throws Exception {
    Files.writeString(root.resolve("config/tollgate.yaml"), "domain: tollgate\ndescriptors: [x]\n");
    await(() -> metric("ratelimit_service_config_load_error 1"));
    assertThat(get("/rlconfig").body()).contains("requests_per_unit=2");
    Files.writeString(
        root.resolve("config/tollgate.yaml"),
        CONFIG.replace("requests_per_unit: 2", "requests_per_unit: 7"));
    await(() -> metric("ratelimit_service_config_load_success 2"));
    assertThat(get("/rlconfig").body()).contains("requests_per_unit=7");
  }

  private boolean metric(String line) {
    try {
      return get("/metrics").body().contains(line);
    } catch (Exception e) {
      return false;
    }
  }

  private static void await(BooleanSupplier condition) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(condition::getAsBoolean);
  }

  private String loopback() {
    return "http://127.0.0.1:" + app.httpPort();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send(loopback(), path);
  }

  private HttpResponse<String> send(String base, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return post(loopback(), path, body);
  }

  private HttpResponse<String> post(String base, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
