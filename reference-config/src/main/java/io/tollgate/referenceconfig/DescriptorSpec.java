package io.tollgate.referenceconfig;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code descriptors} entry as written, every field the reference's loader accepts plus {@code
 * algorithm} (Tollgate's opt-in sliding window).
 *
 * @param value empty when absent, as in the reference
 * @param rateLimit null when the entry has no {@code rate_limit} block
 * @param metadata empty when absent, free-form (strings, numbers as doubles, booleans, nulls,
 *     lists, maps); the rate-limit service returns it in the response's dynamic metadata
 * @param algorithm empty when absent (the fixed window); validated by the compiler
 */
public record DescriptorSpec(
    String key,
    String value,
    RateLimitSpec rateLimit,
    List<DescriptorSpec> descriptors,
    boolean shadowMode,
    boolean quotaMode,
    boolean detailedMetric,
    boolean valueToMetric,
    boolean shareThreshold,
    Map<String, Object> metadata,
    String algorithm) {

  public DescriptorSpec {
    descriptors = List.copyOf(descriptors);
    // Not Map.copyOf: metadata may hold nulls.
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }
}
