package io.tollgate.ratelimit.config;

import com.google.protobuf.Struct;
import java.util.List;

/**
 * One {@code descriptors} entry as written, every field the reference's loader accepts plus {@code
 * algorithm} (Tollgate's opt-in sliding window).
 *
 * @param value empty when absent, as in the reference
 * @param rateLimit null when the entry has no {@code rate_limit} block
 * @param metadata empty when absent; returned in the response's dynamic metadata
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
    Struct metadata,
    String algorithm) {

  public DescriptorSpec {
    descriptors = List.copyOf(descriptors);
  }
}
