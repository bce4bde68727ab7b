package io.tollgate.ratelimit.quota;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.BucketId;
import io.tollgate.ratelimit.config.CompiledConfig;
import io.tollgate.ratelimit.config.RateLimitPolicy;
import io.tollgate.ratelimit.limiter.CacheKeys;
import io.tollgate.ratelimit.limiter.DescriptorMatcher;

/**
 * The limit of an RLQS bucket: its id's entries are a rule's descriptor chain, so it is resolved
 * exactly as {@code ShouldRateLimit} resolves that descriptor ({@link DescriptorMatcher}), after
 * putting the entries in the order the domain's tree nests them. Its counters use the exact tier's
 * key scheme under their own namespaces: {@code CACHE_KEY_PREFIX + "rlqs_"} for admitted requests
 * per window, {@code CACHE_KEY_PREFIX + "rlqs_demand_"} (no window suffix: it lives until the
 * bucket idles) for admitted plus denied ones.
 */
public final class BucketLimits {

  private final DescriptorMatcher matcher = new DescriptorMatcher();
  private final CacheKeys allowedKeys;
  private final CacheKeys demandKeys;

  public BucketLimits(String cacheKeyPrefix) {
    this.allowedKeys = new CacheKeys(cacheKeyPrefix + "rlqs_");
    this.demandKeys = new CacheKeys(cacheKeyPrefix + "rlqs_demand_");
  }

  /** The bucket's limit in {@code config}, or {@link Resolved#NONE}. */
  public Resolved resolve(CompiledConfig config, String domain, BucketId bucket) {
    if (config == null) {
      return Resolved.NONE;
    }
    RateLimitDescriptor chain = matcher.chain(config, domain, bucket.getBucketMap());
    if (chain == null) {
      return Resolved.NONE;
    }
    DescriptorMatcher.LimitMatch match = matcher.match(config, domain, chain);
    if (match == null) {
      return Resolved.NONE;
    }
    return new Resolved(
        match.policy(),
        allowedKeys.base(domain, chain, match.sharedValues()),
        demandKeys.base(domain, chain, match.sharedValues()));
  }

  /**
   * A bucket's limit and its counters' keys without the window start.
   *
   * @param policy null when no limit applies
   */
  public record Resolved(RateLimitPolicy policy, String allowedBase, String demandBase) {

    public static final Resolved NONE = new Resolved(null, null, null);

    /** Whether the bucket is counted: a limit applies and is not {@code unlimited}. */
    public boolean counted() {
      return policy != null && !policy.unlimited();
    }
  }
}
