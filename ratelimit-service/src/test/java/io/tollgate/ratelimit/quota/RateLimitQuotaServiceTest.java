package io.tollgate.ratelimit.quota;

import static io.tollgate.ratelimit.quota.RlqsClient.bucket;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.rate_limit_quota.v3.BucketId;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.RateLimitQuotaResponse.BucketAction;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.RateLimitQuotaUsageReports;
import io.envoyproxy.envoy.type.v3.RateLimitStrategy;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.tollgate.ratelimit.MutableClock;
import io.tollgate.ratelimit.RateLimitApplication;
import io.tollgate.ratelimit.settings.Settings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RLQS endpoint of the service on its real gRPC port, in this JVM, with the memory store. */
class RateLimitQuotaServiceTest {

  static final String CONFIG =
      """
      domain: tollgate
      descriptors:
        - key: rule
          value: per-ip
          descriptors:
            - key: remote_address
              rate_limit: {unit: hour, requests_per_unit: 100}
        - key: rule
          value: login
          descriptors:
            - key: match_path
              value: /login
              rate_limit: {unit: second, requests_per_unit: 5}
        - key: rule
          value: open
          rate_limit: {unlimited: true}
      """;

  static final BucketId PER_IP = bucket("rule", "per-ip", "remote_address", "10.0.0.1");

  @TempDir Path root;
  private RateLimitApplication app;
  private ManagedChannel channel;

  private void start(Map<String, String> more) throws IOException {
    start(more, Clock.systemUTC());
  }

  private void start(Map<String, String> more, Clock clock) throws IOException {
    Files.createDirectories(root.resolve("config"));
    Files.writeString(root.resolve("config/tollgate.yaml"), CONFIG);
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "RUNTIME_ROOT", root.toString(),
                "GRPC_HOST", "127.0.0.1",
                "GRPC_PORT", "0",
                "HOST", "127.0.0.1",
                "PORT", "0"));
    env.putAll(more);
    app = RateLimitApplication.start(Settings.fromEnv(env), clock);
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", app.grpcPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (app != null) {
      app.close();
    }
  }

  private String metrics() throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static RateLimitStrategy strategy(BucketAction a) {
    assertThat(a.hasQuotaAssignmentAction()).as("a quota assignment: %s", a).isTrue();
    return a.getQuotaAssignmentAction().getRateLimitStrategy();
  }

  @Test
  void twoStreamsCountTogetherAndAreDeniedOnceTheLimitIsSpent() throws Exception {
    start(Map.of());
    try (RlqsClient a = new RlqsClient(channel);
        RlqsClient b = new RlqsClient(channel)) {
      // Entries in any order: a bucket id is a map.
      BucketAction first = a.exchange("tollgate", PER_IP, 1, 0);
      assertThat(strategy(first).hasTokenBucket()).isTrue();
      assertThat(first.getQuotaAssignmentAction().getAssignmentTimeToLive().getSeconds())
          .isBetween(1L, 60L);
      assertThat(strategy(b.exchange("tollgate", PER_IP, 60, 0)).hasTokenBucket()).isTrue();
      // 1 + 60 + 39 = 100: the limit is spent, whoever reports it.
      assertThat(strategy(a.exchange("tollgate", PER_IP, 39, 5)).getBlanketRule())
          .isEqualTo(RateLimitStrategy.BlanketRule.DENY_ALL);
      assertThat(strategy(b.exchange("tollgate", PER_IP, 0, 50)).getBlanketRule())
          .isEqualTo(RateLimitStrategy.BlanketRule.DENY_ALL);
      // Another client's bucket counts apart.
      assertThat(
              strategy(
                      a.exchange(
                          "tollgate", bucket("remote_address", "10.0.0.2", "rule", "per-ip"), 1, 0))
                  .hasTokenBucket())
          .isTrue();
      assertThat(metrics())
          .contains("tollgate_ratelimit_rlqs_streams 2.0")
          .contains("tollgate_ratelimit_rlqs_denied_buckets 2.0")
          .contains("tollgate_ratelimit_rlqs_assignments_total{strategy=\"deny_all\"} 2.0");
    }
  }

  @Test
  void bucketsWithoutALimitAreAllowedAndCounted() throws Exception {
    start(Map.of());
    try (RlqsClient a = new RlqsClient(channel)) {
      assertThat(strategy(a.exchange("tollgate", bucket("rule", "nope"), 3, 0)).getBlanketRule())
          .isEqualTo(RateLimitStrategy.BlanketRule.ALLOW_ALL);
      // More entries than the rule's chain: no configured limit ends there.
      assertThat(
              strategy(a.exchange("tollgate", bucket("rule", "login", "method", "GET"), 1, 0))
                  .getBlanketRule())
          .isEqualTo(RateLimitStrategy.BlanketRule.ALLOW_ALL);
      assertThat(strategy(a.exchange("tollgate", bucket("rule", "open"), 1000, 0)).getBlanketRule())
          .isEqualTo(RateLimitStrategy.BlanketRule.ALLOW_ALL);
      assertThat(metrics()).contains("tollgate_ratelimit_rlqs_no_limit_buckets_total 2.0");
    }
  }

  @Test
  void aDifferentDomainMidStreamEndsTheStream() throws Exception {
    start(Map.of());
    try (RlqsClient a = new RlqsClient(channel)) {
      a.exchange("tollgate", PER_IP, 1, 0);
      a.report("other", PER_IP, 1, 0);
      Status status = a.closedStatus();
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription())
          .contains("domain 'other' on a stream opened for domain 'tollgate'");
    }
    // Later reports may leave the domain out.
    try (RlqsClient b = new RlqsClient(channel)) {
      b.exchange("tollgate", PER_IP, 1, 0);
      assertThat(strategy(b.exchange("", PER_IP, 1, 0)).hasTokenBucket()).isTrue();
    }
    assertThat(metrics())
        .contains("tollgate_ratelimit_rlqs_rejected_streams_total{reason=\"domain\"} 1.0");
  }

  @Test
  void aReportOfMoreBucketsThanTheCapEndsTheStream() throws Exception {
    start(Map.of("RLQS_MAX_BUCKETS_PER_STREAM", "2"));
    try (RlqsClient a = new RlqsClient(channel)) {
      RateLimitQuotaUsageReports.Builder report =
          RateLimitQuotaUsageReports.newBuilder().setDomain("tollgate");
      for (int i = 1; i <= 3; i++) {
        report.addBucketQuotaUsages(
            RlqsClient.usage(bucket("rule", "per-ip", "remote_address", "10.0.0." + i), 1, 0));
      }
      a.send(report.build());
      Status status = a.closedStatus();
      assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(status.getDescription())
          .contains("a report of 3 buckets exceeds RLQS_MAX_BUCKETS_PER_STREAM=2");
    }
  }

  @Test
  void aStreamMayNotGrowPastTheCapOneBucketAtATime() throws Exception {
    start(Map.of("RLQS_MAX_BUCKETS_PER_STREAM", "2"));
    try (RlqsClient a = new RlqsClient(channel)) {
      a.exchange("tollgate", bucket("rule", "per-ip", "remote_address", "10.0.0.1"), 1, 0);
      a.exchange("tollgate", bucket("rule", "per-ip", "remote_address", "10.0.0.2"), 1, 0);
      a.report("tollgate", bucket("rule", "per-ip", "remote_address", "10.0.0.3"), 1, 0);
      Status status = a.closedStatus();
      assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(status.getDescription())
          .contains("more than RLQS_MAX_BUCKETS_PER_STREAM=2 buckets on one stream");
    }
  }

  @Test
  void aReportWithoutADomainOrABucketIdIsRefused() throws Exception {
    start(Map.of());
    try (RlqsClient a = new RlqsClient(channel)) {
      a.report("", PER_IP, 1, 0);
      assertThat(a.closedStatus().getDescription())
          .isEqualTo("the stream's first report must name a domain");
    }
    try (RlqsClient b = new RlqsClient(channel)) {
      b.report("tollgate", BucketId.getDefaultInstance(), 1, 0);
      assertThat(b.closedStatus().getDescription())
          .isEqualTo("bucket_quota_usages[0].bucket_id has no entries");
    }
  }

  @Test
  void aBucketIdleLongerThanTheTimeoutIsAbandoned() throws Exception {
    start(Map.of("RLQS_BUCKET_IDLE_TIMEOUT", "1s"));
    try (RlqsClient a = new RlqsClient(channel)) {
      a.exchange("tollgate", PER_IP, 1, 0);
      long deadline = System.nanoTime() + 10_000_000_000L;
      BucketAction action;
      do {
        action = a.exchange("tollgate", PER_IP, 0, 0);
      } while (!action.hasAbandonAction() && System.nanoTime() < deadline);
      assertThat(action.hasAbandonAction()).isTrue();
      // Reported again, it starts over.
      assertThat(strategy(a.exchange("tollgate", PER_IP, 1, 0)).hasTokenBucket()).isTrue();
    }
  }

  @Test
  void aDenyAllEndsWithItsWindowByAPushedAssignment() throws Exception {
    // Reports every 100 ms: a second's window is long enough to be counted.
    start(Map.of("RLQS_REPORTING_INTERVAL", "100ms"));
    BucketId login = bucket("rule", "login", "match_path", "/login");
    try (RlqsClient a = new RlqsClient(channel)) {
      BucketAction denied = a.exchange("tollgate", login, 10, 0);
      assertThat(strategy(denied).getBlanketRule())
          .isEqualTo(RateLimitStrategy.BlanketRule.DENY_ALL);
      assertThat(denied.getQuotaAssignmentAction().getAssignmentTimeToLive().getSeconds())
          .isBetween(1L, 2L);
      // Unasked, within the next window.
      BucketAction pushed = a.next().getBucketAction(0);
      assertThat(pushed.getBucketId()).isEqualTo(login);
      assertThat(strategy(pushed).hasTokenBucket()).isTrue();
    }
  }

  @Test
  void aReportStraddlingAWindowBoundaryCountsInBothWindowsAndKeepsTheStream() throws Exception {
    // Half an hour before an hour's end, then half an hour after it: the boundary's push is
    // scheduled half an hour away in real time, so it never comes during the test.
    long hourEnd = 1_893_459_600_000L; // 2030-01-01T01:00:00Z
    MutableClock clock = new MutableClock(hourEnd - 1_800_000);
    start(Map.of(), clock);
    try (RlqsClient a = new RlqsClient(channel)) {
      assertThat(strategy(a.exchange("tollgate", PER_IP, 1, 0)).hasTokenBucket()).isTrue();
      clock.advance(3_600_000);
      // 10 over the hour since: 5 in the window that ended, 5 in this one; the stream survives
      // the report's three counters (it used to end with INTERNAL here, losing the report).
      assertThat(strategy(a.exchange("tollgate", PER_IP, 10, 0)).hasTokenBucket()).isTrue();
      clock.advance(1_000);
      // 5 + 95 = 100 in this hour: spent.
      assertThat(strategy(a.exchange("tollgate", PER_IP, 95, 0)).getBlanketRule())
          .isEqualTo(RateLimitStrategy.BlanketRule.DENY_ALL);
    }
  }
}
