package io.tollgate.ratelimit.quota;

import static io.tollgate.ratelimit.quota.RlqsClient.bucket;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.rate_limit_quota.v3.BucketId;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.RateLimitQuotaResponse.BucketAction;
import io.envoyproxy.envoy.type.v3.RateLimitStrategy;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.tollgate.testsupport.RateLimitServiceProcess;
import io.tollgate.testsupport.RedisServer;
import io.tollgate.testsupport.Teardown;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service driven by two RLQS streams, as two Envoys would drive it: the global count
 * spans both streams, DENY_ALL once it is spent, and after a restart of the service the streams
 * reopen and report again: with Redis the count survives, in memory it starts over. Two replicas on
 * one Redis count together.
 */
class RateLimitQuotaServiceIT {

  private static final String CONFIG =
      """
      domain: tollgate
      descriptors:
        - key: rule
          value: per-ip
          descriptors:
            - key: remote_address
              rate_limit: {unit: hour, requests_per_unit: 100}
      """;

  private static final BucketId IP = bucket("rule", "per-ip", "remote_address", "10.1.2.3");

  @TempDir Path config;
  private final Teardown teardown = new Teardown();

  @AfterEach
  void stop() {
    teardown.close();
  }

  private RateLimitServiceProcess service(String name, Map<String, String> env) throws Exception {
    Files.writeString(config.resolve("tollgate.yaml"), CONFIG);
    return teardown.add(RateLimitServiceProcess.withConfigDir(name, config, env)).start();
  }

  private RlqsClient stream(RateLimitServiceProcess service) {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", service.grpcPort()).usePlaintext().build();
    teardown.add(channel::shutdownNow);
    return teardown.add(new RlqsClient(channel));
  }

  private static Map<String, String> redis(RedisServer redis) {
    Map<String, String> env = new HashMap<>();
    env.put("BACKEND_TYPE", "redis");
    env.put("REDIS_SOCKET_TYPE", "tcp");
    env.put("REDIS_URL", redis.address());
    env.put("STORE_DEADLINE", "2s");
    return env;
  }

  private static RateLimitStrategy strategy(BucketAction a) {
    return a.getQuotaAssignmentAction().getRateLimitStrategy();
  }

  private static final RateLimitStrategy.BlanketRule DENY = RateLimitStrategy.BlanketRule.DENY_ALL;

  /**
   * Two streams spend the limit of 100 together: 1 + 1 + 98, the last report from the second
   * stream; then both are denied, the first without having reported any more.
   */
  private static void spendTogether(RlqsClient a, RlqsClient b) throws Exception {
    assertThat(strategy(a.exchange("tollgate", IP, 1, 0)).hasTokenBucket()).isTrue();
    assertThat(strategy(b.exchange("tollgate", IP, 1, 0)).hasTokenBucket()).isTrue();
    assertThat(strategy(b.exchange("tollgate", IP, 98, 7)).getBlanketRule()).isEqualTo(DENY);
    assertThat(strategy(a.exchange("tollgate", IP, 0, 3)).getBlanketRule()).isEqualTo(DENY);
  }

  @Test
  void inMemoryTwoStreamsCountTogetherAndARestartStartsOver() throws Exception {
    RateLimitServiceProcess service = service("rlqs-memory", Map.of());
    spendTogether(stream(service), stream(service));
    service.stop();
    service.start();
    // As Envoys do after a broken stream: new streams, every bucket reported again.
    RlqsClient a = stream(service);
    RlqsClient b = stream(service);
    assertThat(strategy(a.exchange("tollgate", IP, 0, 4)).hasTokenBucket()).isTrue();
    assertThat(strategy(b.exchange("tollgate", IP, 0, 4)).hasTokenBucket()).isTrue();
  }

  @Test
  void onRedisTheCountSurvivesARestartAndReplicasCountTogether() throws Exception {
    RedisServer redis = teardown.add(RedisServer.start());
    RateLimitServiceProcess one = service("rlqs-redis-1", redis(redis));
    RateLimitServiceProcess two = service("rlqs-redis-2", redis(redis));
    // One stream on each replica: the count is Redis's.
    spendTogether(stream(one), stream(two));
    assertThat(redis.cli("--scan", "--pattern", "rlqs_tollgate_rule_per-ip_remote_address_*"))
        .contains("rlqs_tollgate_rule_per-ip_remote_address_10.1.2.3_");
    one.stop();
    one.start();
    RlqsClient again = stream(one);
    assertThat(strategy(again.exchange("tollgate", IP, 0, 4)).getBlanketRule()).isEqualTo(DENY);
  }
}
