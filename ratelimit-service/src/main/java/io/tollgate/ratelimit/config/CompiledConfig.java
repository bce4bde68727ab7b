package io.tollgate.ratelimit.config;

import java.util.Map;

/**
 * The active rate-limit configuration: every domain's descriptor tree. Immutable, so a request
 * reads one consistent configuration even while a new one is swapped in.
 */
public record CompiledConfig(Map<String, DescriptorNode> domains) {

  public static final CompiledConfig EMPTY = new CompiledConfig(Map.of());

  public CompiledConfig {
    domains = Map.copyOf(domains);
  }

  public boolean isEmpty() {
    return domains.isEmpty();
  }

  public DescriptorNode domain(String name) {
    return domains.get(name);
  }

  /** Every limit, one per line, in the reference's {@code /rlconfig} format. */
  public String dump() {
    StringBuilder out = new StringBuilder();
    domains.keySet().stream().sorted().forEach(d -> dump(domains.get(d), out));
    return out.toString();
  }

  private static void dump(DescriptorNode node, StringBuilder out) {
    RateLimitPolicy p = node.policy();
    if (p != null) {
      out.append(p.fullKey())
          .append(": unit=")
          .append(p.unit() == null ? "UNKNOWN" : p.unit().name())
          .append(" requests_per_unit=")
          .append(p.requestsPerUnit())
          .append(", shadow_mode: ")
          .append(p.shadowMode())
          .append(", quota_mode: ")
          .append(p.quotaMode());
      if (p.unlimited()) {
        out.append(", unlimited: true");
      }
      if (p.algorithm() == Algorithm.SLIDING_WINDOW) {
        out.append(", algorithm: ").append(p.algorithm().configName());
      }
      if (p.algorithm() == Algorithm.TOKEN_BUCKET) {
        out.append(", burst: ").append(p.burst());
      }
      out.append('\n');
    }
    node.children().keySet().stream().sorted().forEach(k -> dump(node.children().get(k), out));
  }
}
