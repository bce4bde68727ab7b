package io.tollgate.controlplane.stats;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/**
 * One request the rate limiter blocked: "why was this call limited?".
 *
 * @param limit the limit as the rate-limit service reported it, null when unknown
 */
public record BlockedCall(
    Instant time,
    String requestId,
    String clientIp,
    String method,
    String path,
    String rule,
    @Schema(types = {"string", "null"}) String limit) {}
