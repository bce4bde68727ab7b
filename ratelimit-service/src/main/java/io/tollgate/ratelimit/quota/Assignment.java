package io.tollgate.ratelimit.quota;

import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.BucketId;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.RateLimitQuotaResponse.BucketAction;
import io.envoyproxy.envoy.type.v3.RateLimitStrategy;
import io.envoyproxy.envoy.type.v3.TokenBucket;

/**
 * One quota assignment for one bucket on one Envoy: a blanket rule or a token bucket, valid for
 * {@code ttlSeconds} (Envoy reads the TTL in whole seconds, so it is at least 1: a TTL of 0, or
 * none, makes Envoy drop the assignment at once).
 *
 * @param maxTokens the token bucket's burst (token bucket only)
 * @param tokensPerFill tokens added per {@code fillIntervalSeconds}, continuously (token bucket
 *     only)
 * @param allowance what the Envoy may admit under it until the window's end (a counted token
 *     bucket), which other streams' assignments leave aside; else 0
 */
public record Assignment(
    Kind kind,
    long maxTokens,
    long tokensPerFill,
    long fillIntervalSeconds,
    long ttlSeconds,
    long allowance) {

  /** The strategy sent. */
  public enum Kind {
    ALLOW_ALL,
    DENY_ALL,
    TOKEN_BUCKET
  }

  public static Assignment allowAll(long ttlSeconds) {
    return new Assignment(Kind.ALLOW_ALL, 0, 0, 0, ttlSeconds, 0);
  }

  public static Assignment denyAll(long ttlSeconds) {
    return new Assignment(Kind.DENY_ALL, 0, 0, 0, ttlSeconds, 0);
  }

  public static Assignment tokenBucket(
      long maxTokens,
      long tokensPerFill,
      long fillIntervalSeconds,
      long ttlSeconds,
      long allowance) {
    return new Assignment(
        Kind.TOKEN_BUCKET, maxTokens, tokensPerFill, fillIntervalSeconds, ttlSeconds, allowance);
  }

  /** Tokens per second the bucket refills at (0 unless a token bucket). */
  public double ratePerSecond() {
    return kind == Kind.TOKEN_BUCKET ? (double) tokensPerFill / fillIntervalSeconds : 0;
  }

  /** The assignment as the response's action for {@code bucketId}. */
  public BucketAction toAction(BucketId bucketId) {
    RateLimitStrategy.Builder strategy = RateLimitStrategy.newBuilder();
    switch (kind) {
      case ALLOW_ALL -> strategy.setBlanketRule(RateLimitStrategy.BlanketRule.ALLOW_ALL);
      case DENY_ALL -> strategy.setBlanketRule(RateLimitStrategy.BlanketRule.DENY_ALL);
      case TOKEN_BUCKET ->
          strategy.setTokenBucket(
              TokenBucket.newBuilder()
                  .setMaxTokens((int) maxTokens)
                  .setTokensPerFill(UInt32Value.of((int) tokensPerFill))
                  .setFillInterval(Duration.newBuilder().setSeconds(fillIntervalSeconds)));
    }
    BucketAction.Builder action = BucketAction.newBuilder().setBucketId(bucketId);
    action
        .getQuotaAssignmentActionBuilder()
        .setAssignmentTimeToLive(Duration.newBuilder().setSeconds(ttlSeconds))
        .setRateLimitStrategy(strategy);
    return action.build();
  }
}
