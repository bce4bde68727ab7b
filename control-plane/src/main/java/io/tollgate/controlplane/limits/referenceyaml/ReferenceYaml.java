package io.tollgate.controlplane.limits.referenceyaml;

import io.tollgate.controlplane.limits.InvalidRuleException;
import io.tollgate.controlplane.limits.Per;
import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import io.tollgate.protos.ratelimit.config.v3.RateLimitDescriptor;
import io.tollgate.protos.ratelimit.config.v3.RateLimitPolicy;
import io.tollgate.protos.ratelimit.config.v3.RateLimitUnit;
import io.tollgate.referenceconfig.ConfigDocument;
import io.tollgate.referenceconfig.ConfigException;
import io.tollgate.referenceconfig.DescriptorSpec;
import io.tollgate.referenceconfig.RateLimitSpec;
import io.tollgate.referenceconfig.ReferenceYamlReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.representer.Representer;

/**
 * The YAML file format of the reference rate-limit service (envoyproxy/ratelimit): {@code domain},
 * nested {@code descriptors} with {@code key}, {@code value}, {@code rate_limit} ({@code unit},
 * {@code requests_per_unit}, {@code unlimited}, {@code name}, {@code replaces}) and {@code
 * shadow_mode}, with Tollgate's two extensions: {@code rate_limit.burst} (a token bucket) and a
 * descriptor's {@code algorithm} ({@code sliding_window}). The reference refuses both keys in a
 * file ({@code config error, unknown key}); over xDS it ignores them (fields its proto does not
 * have), so there it counts such a rule as a plain fixed window. Reading is the rate-limit
 * service's own reader (module {@code reference-config}), so a file means the same on both sides;
 * errors name where they are. Pure.
 */
public final class ReferenceYaml {

  /** What errors of an import name as the file. */
  private static final String SOURCE = "import";

  private ReferenceYaml() {}

  /** Prints a configuration. */
  public static String write(RateLimitConfig config) {
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("domain", config.getDomain());
    top.put("descriptors", config.getDescriptorsList().stream().map(ReferenceYaml::toMap).toList());
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndicatorIndent(2);
    options.setIndentWithIndicator(true);
    return new Yaml(new Representer(options), options).dump(top);
  }

  private static Map<String, Object> toMap(RateLimitDescriptor d) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("key", d.getKey());
    if (!d.getValue().isEmpty()) {
      out.put("value", d.getValue());
    }
    if (d.hasRateLimit()) {
      RateLimitPolicy p = d.getRateLimit();
      Map<String, Object> policy = new LinkedHashMap<>();
      if (!p.getName().isEmpty()) {
        policy.put("name", p.getName());
      }
      policy.put("unit", p.getUnit().name().toLowerCase(Locale.ROOT));
      policy.put("requests_per_unit", Integer.toUnsignedLong(p.getRequestsPerUnit()));
      if (p.hasBurst()) {
        policy.put("burst", Integer.toUnsignedLong(p.getBurst()));
      }
      out.put("rate_limit", policy);
    }
    if (!d.getAlgorithm().isEmpty()) {
      out.put("algorithm", d.getAlgorithm());
    }
    if (d.getShadowMode()) {
      out.put("shadow_mode", true);
    }
    if (d.getDescriptorsCount() > 0) {
      out.put("descriptors", d.getDescriptorsList().stream().map(ReferenceYaml::toMap).toList());
    }
    return out;
  }

  /**
   * Parses a configuration with the reader the rate-limit service uses ({@link
   * ReferenceYamlReader}: the reference's YAML 1.1 typing, merge keys, first document only), then
   * keeps to what Tollgate's rules can express.
   *
   * @throws InvalidRuleException naming the key at fault
   */
  public static RateLimitConfig read(byte[] yaml) {
    ConfigDocument doc;
    try {
      doc = new ReferenceYamlReader().read(SOURCE, yaml);
    } catch (ConfigException e) {
      throw new InvalidRuleException(e.path(), e.reason());
    }
    if (doc.domain().isEmpty()) {
      throw new InvalidRuleException("domain", "is required");
    }
    RateLimitConfig.Builder out = RateLimitConfig.newBuilder();
    out.setDomain(doc.domain()).setName(doc.domain());
    for (int i = 0; i < doc.descriptors().size(); i++) {
      out.addDescriptors(descriptor(doc.descriptors().get(i), "descriptors[" + i + "]"));
    }
    return out.build();
  }

  /** {@link #read(byte[])} of UTF-8 text. */
  public static RateLimitConfig read(String yaml) {
    return read(yaml.getBytes(StandardCharsets.UTF_8));
  }

  private static RateLimitDescriptor descriptor(DescriptorSpec spec, String where) {
    if (spec.key().isEmpty()) {
      throw new InvalidRuleException(where + ".key", "is required");
    }
    unsupported(spec.quotaMode(), where + ".quota_mode");
    unsupported(spec.valueToMetric(), where + ".value_to_metric");
    unsupported(spec.shareThreshold(), where + ".share_threshold");
    unsupported(!spec.metadata().isEmpty(), where + ".metadata");
    RateLimitDescriptor.Builder d =
        RateLimitDescriptor.newBuilder()
            .setKey(spec.key())
            .setValue(spec.value())
            .setShadowMode(spec.shadowMode())
            .setDetailedMetric(spec.detailedMetric())
            .setAlgorithm(spec.algorithm());
    if (spec.rateLimit() != null) {
      d.setRateLimit(policy(spec.rateLimit(), where + ".rate_limit"));
    }
    for (int i = 0; i < spec.descriptors().size(); i++) {
      d.addDescriptors(descriptor(spec.descriptors().get(i), where + ".descriptors[" + i + "]"));
    }
    return d.build();
  }

  private static RateLimitPolicy policy(RateLimitSpec spec, String where) {
    unsupported(!spec.replaces().isEmpty(), where + ".replaces");
    RateLimitPolicy.Builder p =
        RateLimitPolicy.newBuilder()
            .setRequestsPerUnit((int) spec.requestsPerUnit())
            .setUnlimited(spec.unlimited())
            .setName(spec.name());
    if (spec.burst() != null) {
      p.setBurst((int) (long) spec.burst());
    }
    if (!spec.unit().isEmpty()) {
      p.setUnit(
          Per.parse(spec.unit())
              .map(per -> RateLimitUnit.valueOf(per.name()))
              .orElseThrow(
                  () ->
                      new InvalidRuleException(
                          where + ".unit",
                          "unknown unit '" + spec.unit() + "'; one of second, minute, hour, day")));
    }
    return p.build();
  }

  private static void unsupported(boolean set, String where) {
    if (set) {
      throw new InvalidRuleException(where, "not supported by Tollgate");
    }
  }
}
