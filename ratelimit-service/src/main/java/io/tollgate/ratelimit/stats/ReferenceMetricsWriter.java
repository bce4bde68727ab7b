package io.tollgate.ratelimit.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Writes the reference's Prometheus series under the reference's exact names. They are written here
 * rather than through Micrometer because Micrometer (Prometheus client 1.x) appends {@code _total}
 * to every counter, which would rename {@code ratelimit_service_rate_limit_total_hits} and break
 * existing dashboards.
 *
 * <p>Labels follow the reference's statsd mapping: {@code domain}, {@code key1} (first descriptor
 * level) and {@code key2} (second level; deeper levels are joined to it with '.', where the
 * reference's mapping has no series at all).
 */
public final class ReferenceMetricsWriter {

  private final StatsRegistry registry;
  private final ServiceStats service;

  public ReferenceMetricsWriter(StatsRegistry registry, ServiceStats service) {
    this.registry = registry;
    this.service = service;
  }

  public void write(StringBuilder out) {
    List<LimitStats> all = new ArrayList<>(registry.all());
    all.sort(Comparator.comparing(s -> String.join(".", s.path())));
    limit(out, "ratelimit_service_rate_limit_total_hits", all, s -> s.totalHits().sum());
    limit(out, "ratelimit_service_rate_limit_over_limit", all, s -> s.overLimit().sum());
    limit(out, "ratelimit_service_rate_limit_near_limit", all, s -> s.nearLimit().sum());
    limit(out, "ratelimit_service_rate_limit_within_limit", all, s -> s.withinLimit().sum());
    limit(out, "ratelimit_service_rate_limit_shadow_mode", all, s -> s.shadowMode().sum());
    limit(
        out,
        "ratelimit_service_rate_limit_over_limit_with_local_cache",
        all,
        s -> s.overLimitWithLocalCache().sum());

    counter(out, "ratelimit_service_config_load_success", "", service.configLoadSuccess());
    counter(out, "ratelimit_service_config_load_error", "", service.configLoadError());
    header(out, "ratelimit_service_should_rate_limit_error", "counter");
    sample(
        out,
        "ratelimit_service_should_rate_limit_error",
        "err_type=\"redis_error\"",
        service.redisErrors());
    sample(
        out,
        "ratelimit_service_should_rate_limit_error",
        "err_type=\"service_error\"",
        service.serviceErrors());
    counter(out, "ratelimit_service_global_shadow_mode", "", service.globalShadowModeCount());
    counter(
        out,
        "ratelimit_service_total_requests",
        "grpc_method=\"ShouldRateLimit\"",
        service.totalRequests());
    histogram(out);
  }

  private static void limit(
      StringBuilder out, String name, List<LimitStats> all, Function<LimitStats, Long> value) {
    header(out, name, "counter");
    for (LimitStats s : all) {
      sample(out, name, labels(s.path()), value.apply(s));
    }
  }

  private static String labels(List<String> path) {
    StringBuilder b = new StringBuilder();
    b.append("domain=\"").append(escape(path.get(0))).append('"');
    if (path.size() > 1) {
      b.append(",key1=\"").append(escape(path.get(1))).append('"');
    }
    if (path.size() > 2) {
      b.append(",key2=\"")
          .append(escape(String.join(".", path.subList(2, path.size()))))
          .append('"');
    }
    return b.toString();
  }

  private void histogram(StringBuilder out) {
    String name = "ratelimit_service_response_time_seconds";
    String method = "grpc_method=\"ShouldRateLimit\"";
    header(out, name, "histogram");
    long[] counts = service.responseBucketCounts();
    long cumulative = 0;
    for (int i = 0; i < ServiceStats.BUCKETS.length; i++) {
      cumulative += counts[i];
      out.append(name)
          .append("_bucket{")
          .append(method)
          .append(",le=\"")
          .append(ServiceStats.BUCKETS[i])
          .append("\"} ")
          .append(cumulative)
          .append('\n');
    }
    cumulative += counts[counts.length - 1];
    out.append(name).append("_bucket{").append(method).append(",le=\"+Inf\"} ");
    out.append(cumulative).append('\n');
    out.append(name).append("_sum{").append(method).append("} ");
    out.append(service.responseNanos() / 1e9).append('\n');
    out.append(name).append("_count{").append(method).append("} ");
    out.append(cumulative).append('\n');
  }

  private static void counter(StringBuilder out, String name, String labels, long value) {
    header(out, name, "counter");
    sample(out, name, labels, value);
  }

  private static void header(StringBuilder out, String name, String type) {
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void sample(StringBuilder out, String name, String labels, long value) {
    out.append(name);
    if (!labels.isEmpty()) {
      out.append('{').append(labels).append('}');
    }
    out.append(' ').append(value).append('\n');
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
