package io.tollgate.controlplane.stats;

import java.time.Instant;

/**
 * One request the rate limiter or the access lists blocked: "why was this call limited?".
 *
 * @param rule the limit rule, or the access entry ({@code none}: no allow entry matched)
 * @param limit the limit as the rate-limit service reported it, null when unknown or refused by the
 *     access lists
 * @param blockedBy {@code ratelimit} or {@code access}
 */
public record BlockedCall(
    Instant time,
    String requestId,
    String clientIp,
    String method,
    String path,
    String rule,
    String limit,
    String blockedBy) {

  public static final String RATE_LIMIT = "ratelimit";
  public static final String ACCESS = "access";

  /** A call the rate limiter blocked. */
  public BlockedCall(
      Instant time,
      String requestId,
      String clientIp,
      String method,
      String path,
      String rule,
      String limit) {
    this(time, requestId, clientIp, method, path, rule, limit, RATE_LIMIT);
  }
}
