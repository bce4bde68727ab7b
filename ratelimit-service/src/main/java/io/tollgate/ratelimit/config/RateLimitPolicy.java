package io.tollgate.ratelimit.config;

import com.google.protobuf.Struct;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import java.util.List;

/**
 * A compiled {@code rate_limit}: what a matching descriptor is limited to and how.
 *
 * @param fullKey the descriptor path ({@code domain.key_value.key}), the reference's stats key
 * @param path the same path split into the domain and one element per level
 * @param unit null only for an unlimited policy
 * @param name empty when the configuration gives none
 * @param burst the tokens a {@link Algorithm#TOKEN_BUCKET} holds beyond one unit's {@code
 *     requestsPerUnit}; 0 for the windows
 * @param proto the {@code current_limit} every response for this policy carries, built once
 */
public record RateLimitPolicy(
    String fullKey,
    List<String> path,
    long requestsPerUnit,
    Unit unit,
    boolean unlimited,
    boolean shadowMode,
    boolean quotaMode,
    String name,
    List<String> replaces,
    boolean detailedMetric,
    Algorithm algorithm,
    long burst,
    Struct metadata,
    RateLimitResponse.RateLimit proto) {

  public RateLimitPolicy {
    path = List.copyOf(path);
    replaces = List.copyOf(replaces);
  }

  public static RateLimitPolicy of(
      List<String> path,
      long requestsPerUnit,
      Unit unit,
      boolean unlimited,
      boolean shadowMode,
      boolean quotaMode,
      String name,
      List<String> replaces,
      boolean detailedMetric,
      Algorithm algorithm,
      long burst,
      Struct metadata) {
    RateLimitResponse.RateLimit.Builder proto =
        RateLimitResponse.RateLimit.newBuilder()
            .setRequestsPerUnit((int) requestsPerUnit)
            .setName(name);
    if (unit != null) {
      proto.setUnit(unit.proto());
    }
    return new RateLimitPolicy(
        String.join(".", path),
        path,
        requestsPerUnit,
        unit,
        unlimited,
        shadowMode,
        quotaMode,
        name,
        replaces,
        detailedMetric,
        algorithm,
        burst,
        metadata,
        proto.build());
  }

  /**
   * The limit a request carries itself ({@code RateLimitDescriptor.limit}): never shadowed, never
   * named, fixed window, as in the reference.
   */
  public static RateLimitPolicy override(List<String> path, long requestsPerUnit, Unit unit) {
    return of(
        path,
        requestsPerUnit,
        unit,
        false,
        false,
        false,
        "",
        List.of(),
        false,
        Algorithm.FIXED_WINDOW,
        0,
        Struct.getDefaultInstance());
  }

  /**
   * What a call may spend at once: a token bucket's {@code requestsPerUnit + burst} tokens, a
   * window's {@code requestsPerUnit}.
   */
  public long capacity() {
    return requestsPerUnit + burst;
  }

  /** The name reported when this limit blocks a call: its {@code name}, else its path. */
  public String ruleName() {
    return name.isEmpty() ? fullKey : name;
  }
}
