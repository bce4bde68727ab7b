package io.tollgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tollgate.testsupport.RateLimitServiceProcess;
import io.tollgate.testsupport.RedisCluster;
import io.tollgate.testsupport.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service against real {@code redis-server} processes: instances share counts through
 * one Redis with the reference's key format, a three-node Redis Cluster works, and a Redis outage
 * is answered per the failure mode within the deadline, counted, and recovered from without a
 * restart.
 */
class RedisStoreIT {

  private static final String CONFIG =
      """
      domain: tollgate
      descriptors:
        - key: generic_key
          value: shared
          rate_limit: {unit: hour, requests_per_unit: 10}
        - key: generic_key
          value: sliding
          algorithm: sliding_window
          rate_limit: {unit: hour, requests_per_unit: 10}
        - key: generic_key
          value: bucket
          rate_limit: {unit: hour, requests_per_unit: 10, burst: 4}
        - key: user
          rate_limit: {unit: hour, requests_per_unit: 3}
      """;

  @TempDir Path config;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void cleanUp() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private <T extends AutoCloseable> T own(T resource) {
    resources.add(resource);
    return resource;
  }

  private RateLimitServiceProcess service(String name, Map<String, String> env) throws Exception {
    Files.writeString(config.resolve("tollgate.yaml"), CONFIG);
    return own(RateLimitServiceProcess.withConfigDir(name, config, env)).start();
  }

  private RateLimitServiceGrpc.RateLimitServiceBlockingStub stub(RateLimitServiceProcess s) {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", s.grpcPort()).usePlaintext().build();
    own(channel::shutdownNow);
    return RateLimitServiceGrpc.newBlockingStub(channel);
  }

  private static RateLimitRequest call(String... pairs) {
    RateLimitDescriptor.Builder d = RateLimitDescriptor.newBuilder();
    for (int i = 0; i < pairs.length; i += 2) {
      d.addEntries(RateLimitDescriptor.Entry.newBuilder().setKey(pairs[i]).setValue(pairs[i + 1]));
    }
    return RateLimitRequest.newBuilder().setDomain("tollgate").addDescriptors(d).build();
  }

  /**
   * Settings for a service on Redis. The deadline is generous here because these tests are about
   * counting, on a machine shared with other builds; the outage test sets its own.
   */
  private static Map<String, String> redis(String url, String type) {
    return Map.of(
        "BACKEND_TYPE", "redis",
        "REDIS_SOCKET_TYPE", "tcp",
        "REDIS_URL", url,
        "REDIS_TYPE", type,
        "EXPIRATION_JITTER_MAX_SECONDS", "0",
        "STORE_DEADLINE", "2s");
  }

  @Test
  void twoInstancesOnOneRedisCountTogetherWithTheReferenceKeys() throws Exception {
    RedisServer redis = own(RedisServer.start());
    var a = stub(service("rls-a", redis(redis.address(), "SINGLE")));
    var b = stub(service("rls-b", redis(redis.address(), "SINGLE")));
    for (String value : List.of("shared", "sliding", "bucket")) {
      int ok = 0;
      for (int i = 0; i < 16; i++) {
        var stub = i % 2 == 0 ? a : b;
        if (stub.shouldRateLimit(call("generic_key", value)).getOverallCode()
            == RateLimitResponse.Code.OK) {
          ok++;
        }
      }
      // The bucket: its 10 a hour plus its burst of 4, all at once (a token comes each 6 min).
      assertThat(ok)
          .as("calls allowed across both instances for %s", value)
          .isEqualTo(value.equals("bucket") ? 14 : 10);
    }
    // The reference's key: CACHE_KEY_PREFIX + domain_key_value_ + window start (seconds).
    long hour = (System.currentTimeMillis() / 1000 / 3600) * 3600;
    String fixedKey = "tollgate_generic_key_shared_" + hour;
    assertThat(redis.cli("GET", fixedKey).trim()).isEqualTo("16");
    assertThat(Long.parseLong(redis.cli("TTL", fixedKey).trim())).isBetween(1L, 3600L);
    // Sliding windows count admitted calls only, under a hash-tagged key.
    assertThat(redis.cli("GET", "{tollgate_generic_key_sliding_}" + hour).trim()).isEqualTo("10");
    // The bucket: one hash for every window, empty now, kept as long as a refill from empty takes.
    String bucket = "{tollgate_generic_key_bucket_}bucket";
    assertThat(redis.cli("HGET", bucket, "u").trim()).isEqualTo("0");
    assertThat(Long.parseLong(redis.cli("TTL", bucket).trim())).isBetween(5_000L, 5_041L);
  }

  @Test
  void aRedisClusterOfThreeNodesCountsEveryKeyOnItsNode() throws Exception {
    RedisCluster cluster = own(RedisCluster.start());
    var stub = stub(service("rls-cluster", redis(cluster.addresses(), "CLUSTER")));
    // Forty users spread over the three nodes' slots; each allowed exactly three calls.
    for (int u = 0; u < 40; u++) {
      int ok = 0;
      for (int i = 0; i < 5; i++) {
        if (stub.shouldRateLimit(call("user", "u" + u)).getOverallCode()
            == RateLimitResponse.Code.OK) {
          ok++;
        }
      }
      assertThat(ok).as("user u%d", u).isEqualTo(3);
    }
    // One call whose descriptors live on different nodes still gets every status.
    RateLimitRequest many =
        RateLimitRequest.newBuilder()
            .setDomain("tollgate")
            .addDescriptors(call("user", "x1").getDescriptors(0))
            .addDescriptors(call("user", "x2").getDescriptors(0))
            .addDescriptors(call("user", "x3").getDescriptors(0))
            .addDescriptors(call("generic_key", "sliding").getDescriptors(0))
            .addDescriptors(call("generic_key", "bucket").getDescriptors(0))
            .build();
    RateLimitResponse r = stub.shouldRateLimit(many);
    assertThat(r.getStatusesList())
        .allSatisfy(s -> assertThat(s.getCode()).isEqualTo(RateLimitResponse.Code.OK));
    long keys =
        cluster.nodes().stream()
            .mapToLong(n -> Long.parseLong(n.cli("DBSIZE").trim()))
            .filter(k -> k > 0)
            .count();
    assertThat(keys).as("nodes holding counters").isEqualTo(3);
  }

  @Test
  void aRedisOutageIsAnsweredWithinTheDeadlineCountedAndRecoveredFrom() throws Exception {
    RedisServer redis = own(RedisServer.start());
    Map<String, String> base = new HashMap<>(redis(redis.address(), "SINGLE"));
    base.put("STORE_DEADLINE", "100ms");
    RateLimitServiceProcess failing = service("rls-error", base);
    Map<String, String> open = new HashMap<>(base);
    open.put("STORE_FAILURE_MODE", "allow");
    var errorStub = stub(failing);
    var allowStub = stub(service("rls-allow", open));
    for (int i = 0; i < 20; i++) {
      errorStub.shouldRateLimit(call("user", "warm-" + i));
      allowStub.shouldRateLimit(call("user", "warm-" + i));
    }

    // A stalled Redis (SIGSTOP): connections stay open, nothing answers. Each call ends at the
    // deadline, not at REDIS_TIMEOUT (10 s), where the reference would wait.
    redis.pause();
    List<Long> errorMillis = new ArrayList<>();
    List<Long> allowMillis = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      long started = System.nanoTime();
      StatusRuntimeException e = failure(errorStub, call("user", "stalled"));
      errorMillis.add(elapsedMillis(started));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
      assertThat(e.getStatus().getDescription()).isEqualTo("redis error: no reply within 100ms");
      started = System.nanoTime();
      assertThat(allowStub.shouldRateLimit(call("user", "stalled")).getOverallCode())
          .isEqualTo(RateLimitResponse.Code.OK);
      allowMillis.add(elapsedMillis(started));
    }
    assertAnsweredNearTheDeadline(errorMillis, 100);
    assertAnsweredNearTheDeadline(allowMillis, 100);
    redis.resume();

    // A stopped Redis: Lettuce knows the connection is gone and rejects at once.
    redis.shutdown();
    List<Long> downMillis = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      long started = System.nanoTime();
      StatusRuntimeException e = failure(errorStub, call("user", "during"));
      downMillis.add(elapsedMillis(started));
      assertThat(e.getStatus().getDescription()).startsWith("redis error: ");
      assertThat(allowStub.shouldRateLimit(call("user", "during")).getOverallCode())
          .isEqualTo(RateLimitResponse.Code.OK);
    }
    assertAnsweredNearTheDeadline(downMillis, 100);
    String metrics = get(failing.baseUrl() + "/metrics");
    assertThat(
            counter(metrics, "ratelimit_service_should_rate_limit_error{err_type=\"redis_error\"}"))
        .isGreaterThanOrEqualTo(30);
    assertThat(counter(metrics, "tollgate_ratelimit_store_failures_total{kind=\"timeout\"}"))
        .isGreaterThanOrEqualTo(10);
    assertThat(counter(metrics, "tollgate_ratelimit_store_failures_total{kind=\"error\"}"))
        .isGreaterThanOrEqualTo(1);

    redis.restart();
    // Lettuce reconnects by itself; limiting resumes on the same process, from zero (no
    // persistence).
    await("recovery after the Redis restart")
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(100))
        .ignoreException(StatusRuntimeException.class)
        .untilAsserted(() -> errorStub.shouldRateLimit(call("user", "after")));
    int ok = 1;
    for (int i = 0; i < 4; i++) {
      if (errorStub.shouldRateLimit(call("user", "after")).getOverallCode()
          == RateLimitResponse.Code.OK) {
        ok++;
      }
    }
    assertThat(ok).as("limit enforced again after recovery").isEqualTo(3);
    assertThat(failing.process().isAlive()).isTrue();
  }

  private static StatusRuntimeException failure(
      RateLimitServiceGrpc.RateLimitServiceBlockingStub stub, RateLimitRequest request) {
    try {
      stub.withDeadlineAfter(5, TimeUnit.SECONDS).shouldRateLimit(request);
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("the ERROR failure mode must fail the call while Redis is out");
  }

  /**
   * Calls end at the deadline: the median within it plus 150 ms of scheduling slack, and none past
   * 1 s (this machine is shared with other builds, so single calls may be descheduled).
   */
  private static void assertAnsweredNearTheDeadline(List<Long> millis, long deadline) {
    List<Long> sorted = millis.stream().sorted().toList();
    assertThat(sorted.get(sorted.size() / 2))
        .as("median of %s ms", sorted)
        .isLessThan(deadline + 150);
    assertThat(sorted.get(sorted.size() - 1)).as("slowest of %s ms", sorted).isLessThan(1000);
  }

  private static long elapsedMillis(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  private static long counter(String metrics, String series) {
    Matcher m = Pattern.compile(Pattern.quote(series) + " (\\d+)").matcher(metrics);
    assertThat(m.find()).as("series %s in /metrics", series).isTrue();
    return Long.parseLong(m.group(1));
  }

  private String get(String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
