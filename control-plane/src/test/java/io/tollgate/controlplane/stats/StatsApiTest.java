package io.tollgate.controlplane.stats;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.ResponseFlags;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.tollgate.controlplane.accesslog.AccessLogEntries;
import io.tollgate.testsupport.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The whole statistics path in one JVM: gRPC access log in, REST and Prometheus out, H2 below. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatsApiTest {

  private static final int GRPC_PORT = FreePorts.next();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry r) {
    r.add("tollgate.xds.port", () -> GRPC_PORT);
    r.add(
        "tollgate.config",
        () -> Path.of("../config/tollgate.mock.yaml").toAbsolutePath().normalize().toString());
    r.add("spring.datasource.url", () -> "jdbc:h2:mem:stats-api;DB_CLOSE_DELAY=-1");
  }

  @LocalServerPort int port;
  @Autowired LiveStats live;
  @Autowired StatsStore store;
  @Autowired StatsMeters meters;

  private final HttpClient http = HttpClient.newHttpClient();
  private ManagedChannel channel;

  @BeforeAll
  void sendEntries() throws Exception {
    channel = NettyChannelBuilder.forAddress("127.0.0.1", GRPC_PORT).usePlaintext().build();
    StreamAccessLogsMessage.HTTPAccessLogEntries.Builder batch =
        StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder();
    for (int i = 0; i < 5; i++) {
      batch.addLogEntry(AccessLogEntries.entry(200, "/a?x=" + i, "10.0.0.1", 1_000));
    }
    // One call over a shadow-mode rule's limit: it passed, and counts as that rule's shadow hit
    // (and hit); two more passed under per-ip's limit (its hits, beside the three it blocks).
    batch
        .getLogEntryBuilder(0)
        .getCommonPropertiesBuilder()
        .setMetadata(
            ratelimitMetadata(
                Struct.newBuilder()
                    .putFields("shadowRules", names("would-block"))
                    .putFields("countedRules", names("would-block"))));
    for (int i = 1; i <= 2; i++) {
      batch
          .getLogEntryBuilder(i)
          .getCommonPropertiesBuilder()
          .setMetadata(
              ratelimitMetadata(Struct.newBuilder().putFields("countedRules", names("per-ip"))));
    }
    // Two answered by the response cache.
    for (int i = 3; i <= 4; i++) {
      batch
          .getLogEntryBuilder(i)
          .getResponseBuilder()
          .setResponseCodeDetails("cache.response_from_cache_filter");
    }
    for (int i = 0; i < 3; i++) {
      HTTPAccessLogEntry.Builder e = AccessLogEntries.entry(429, "/a", "10.0.0.2", 100).toBuilder();
      e.getCommonPropertiesBuilder()
          .setResponseFlags(ResponseFlags.newBuilder().setRateLimited(true))
          .setMetadata(
              ratelimitMetadata(
                  Struct.newBuilder()
                      .putFields("rule", Value.newBuilder().setStringValue("per-ip").build())
                      .putFields("countedRules", names("per-ip"))));
      e.getRequestBuilder().setRequestId("blocked-" + i);
      batch.addLogEntry(e);
    }
    batch.addLogEntry(AccessLogEntries.entry(404, "/b", "10.0.0.1", 3_000));
    CountDownLatch done = new CountDownLatch(1);
    StreamObserver<StreamAccessLogsMessage> stream =
        AccessLogServiceGrpc.newStub(channel)
            .streamAccessLogs(
                new StreamObserver<>() {
                  @Override
                  public void onNext(StreamAccessLogsResponse value) {}

                  @Override
                  public void onError(Throwable t) {
                    done.countDown();
                  }

                  @Override
                  public void onCompleted() {
                    done.countDown();
                  }
                });
    stream.onNext(
        StreamAccessLogsMessage.newBuilder()
            .setIdentifier(
                StreamAccessLogsMessage.Identifier.newBuilder()
                    .setNode(Node.newBuilder().setId("test"))
                    .setLogName("tollgate"))
            .setHttpLogs(batch)
            .build());
    stream.onCompleted();
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
  }

  private static Metadata ratelimitMetadata(Struct.Builder fields) {
    return Metadata.newBuilder()
        .putFilterMetadata("envoy.filters.http.ratelimit", fields.build())
        .build();
  }

  private static Value names(String... names) {
    ListValue.Builder list = ListValue.newBuilder();
    for (String n : names) {
      list.addValues(Value.newBuilder().setStringValue(n));
    }
    return Value.newBuilder().setListValue(list).build();
  }

  @AfterAll
  void closeChannel() {
    channel.shutdownNow();
  }

  @Test
  void everythingIsVisibleAtOnceAndSurvivesAFlushWithoutDoubleCounting() throws Exception {
    String summary = get("/api/v1/stats/summary").body();
    assertThat(summary)
        .contains("\"totalRequests\":9")
        .contains("\"rateLimitedRequests\":3")
        .contains("\"200\":5", "\"429\":3", "\"404\":1")
        .contains("\"cacheHits\":2");
    assertThat(get("/api/v1/stats/top?by=ip").body())
        .isEqualTo(
            "[{\"key\":\"10.0.0.1\",\"requests\":6,\"rateLimited\":0},"
                + "{\"key\":\"10.0.0.2\",\"requests\":3,\"rateLimited\":3}]");
    assertThat(get("/api/v1/stats/top?by=path&limit=1").body())
        .isEqualTo("[{\"key\":\"/a\",\"requests\":8,\"rateLimited\":3}]");
    assertThat(get("/api/v1/stats/top?by=rule").body())
        .isEqualTo("[{\"key\":\"per-ip\",\"requests\":3,\"rateLimited\":3}]");
    assertThat(get("/api/v1/stats/blocked?rule=per-ip&limit=2").body())
        .contains("\"requestId\":\"blocked-2\"", "\"requestId\":\"blocked-1\"")
        .doesNotContain("blocked-0");
    assertThat(get("/api/v1/stats/blocked?ip=10.0.0.1").body()).isEqualTo("[]");
    assertThat(get("/api/v1/stats/blocked?requestId=blocked-1").body())
        .contains("\"requestId\":\"blocked-1\"", "\"rule\":\"per-ip\"", "\"path\":\"/a\"")
        .doesNotContain("blocked-0", "blocked-2");
    assertThat(get("/api/v1/stats/blocked?clientIp=10.0.0.2&limit=10").body())
        .contains("blocked-0", "blocked-1", "blocked-2");
    assertThat(get("/api/v1/stats/blocked?clientIp=::ffff:10.0.0.2").body()).contains("blocked-0");
    assertThat(get("/api/v1/stats/blocked?requestId=blocked-1&clientIp=10.0.0.1").body())
        .isEqualTo("[]");
    assertRuleActivity();
    assertThat(get("/api/v1/stats/timeseries?ip=10.0.0.2").body())
        .contains("\"requests\":3,\"rateLimited\":3");
    assertThat(get("/api/v1/stats/timeseries?rule=per-ip").body())
        .contains("\"rule\":\"per-ip\"", "\"requests\":3,\"rateLimited\":3");

    // Seal and store everything: the same answers now come from the database alone.
    meters.mirror(live.tick(true));
    assertThat(live.flush(store::addMinute).failure()).isNull();
    assertThat(get("/api/v1/stats/summary").body())
        .contains("\"totalRequests\":9")
        .contains("\"rateLimitedRequests\":3")
        .contains("\"p99\":3.0")
        .contains("\"cacheHits\":2");
    assertThat(get("/api/v1/stats/top?by=rule").body())
        .isEqualTo("[{\"key\":\"per-ip\",\"requests\":3,\"rateLimited\":3}]");
    assertThat(get("/api/v1/stats/timeseries?path=/a").body())
        .contains("\"requests\":8,\"rateLimited\":3");
    assertRuleActivity();
    assertThat(get("/actuator/prometheus").body())
        .contains("tollgate_stats_requests_total{status=\"429\"} 3.0")
        .contains("tollgate_stats_rate_limited_total{rule=\"per-ip\"} 3.0")
        .doesNotContain("10.0.0.1");
  }

  private void assertRuleActivity() throws Exception {
    assertThat(get("/api/v1/stats/rules").body())
        .isEqualTo(
            "[{\"rule\":\"per-ip\",\"lastMinute\":{\"hits\":5,\"blocked\":3,\"shadow\":0},"
                + "\"lastHour\":{\"hits\":5,\"blocked\":3,\"shadow\":0}},"
                + "{\"rule\":\"would-block\",\"lastMinute\":{\"hits\":1,\"blocked\":0,"
                + "\"shadow\":1},\"lastHour\":{\"hits\":1,\"blocked\":0,\"shadow\":1}}]");
    assertThat(get("/api/v1/stats/top?by=rule_hit").body())
        .isEqualTo(
            "[{\"key\":\"per-ip\",\"requests\":5,\"rateLimited\":3},"
                + "{\"key\":\"would-block\",\"requests\":1,\"rateLimited\":0}]");
  }

  @Test
  void badParametersGetAProblemNamingTheParameter() throws Exception {
    HttpResponse<String> r = get("/api/v1/stats/summary?from=yesterday");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("\"parameter\":\"from\"");
    assertThat(get("/api/v1/stats/top?by=country").body()).contains("\"parameter\":\"by\"");
    assertThat(get("/api/v1/stats/top?by=ip&limit=0").body()).contains("\"parameter\":\"limit\"");
    assertThat(get("/api/v1/stats/timeseries?step=5m").body()).contains("\"parameter\":\"step\"");
    assertThat(get("/api/v1/stats/timeseries?ip=10.0.0.1&rule=per-ip").body())
        .contains("\"parameter\":\"rule\"");
    HttpResponse<String> badId = get("/api/v1/stats/blocked?requestId=a%20b");
    assertThat(badId.statusCode()).isEqualTo(400);
    assertThat(badId.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(badId.body()).contains("\"parameter\":\"requestId\"");
    assertThat(get("/api/v1/stats/blocked?requestId=" + "x".repeat(129)).body())
        .contains("\"parameter\":\"requestId\"");
    assertThat(get("/api/v1/stats/blocked?clientIp=10.0.0.256").body())
        .contains("\"parameter\":\"clientIp\"");
    assertThat(get("/api/v1/stats/blocked?ip=example.com").body()).contains("\"parameter\":\"ip\"");
    assertThat(get("/api/v1/stats/blocked?ip=10.0.0.1&clientIp=10.0.0.1").body())
        .contains("\"parameter\":\"ip\"");
    assertThat(get("/v3/api-docs").body())
        .contains("/api/v1/stats/rules", "requestId", "clientIp")
        .contains("calls the rule counted, under or over its limit");
    assertThat(
            get("/api/v1/stats/summary?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")
                .statusCode())
        .isEqualTo(400);
    assertThat(get("/v3/api-docs").body()).contains("/api/v1/stats/top");
  }

  @Test
  void anEmptyParameterIsAnAbsentOne() throws Exception {
    assertThat(get("/api/v1/stats/summary?from=&to=").statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/stats/timeseries?from=&path=&ip=").statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/stats/blocked?ip=&rule=").statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/stats/top?by=").body()).contains("by is required");
  }

  // Through real Tomcat and Spring Security's firewall, which MockMvc would not reproduce.
  @Test
  void anUndeclaredMethodIs405WithAllowAsAProblem() throws Exception {
    HttpResponse<String> r = send("QUERY", "/api/v1/stats/summary", null, null);
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("allow")).hasValue("GET");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
  }

  @Test
  void aQueryStringTomcatRefusesIsAProblemToo() throws Exception {
    HttpResponse<String> r = get("/api/v1/stats/summary?=x");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
  }

  @Test
  void multipartWithoutBoundaryIs415NotAServerError() throws Exception {
    HttpResponse<String> r = send("POST", "/api/v1/limits", "multipart/form-data", "x");
    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
  }

  private HttpResponse<String> send(String method, String path, String type, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (type != null) {
      b.header("Content-Type", type);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
