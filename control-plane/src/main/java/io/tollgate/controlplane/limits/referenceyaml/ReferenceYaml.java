package io.tollgate.controlplane.limits.referenceyaml;

import io.tollgate.controlplane.limits.InvalidRuleException;
import io.tollgate.controlplane.limits.Per;
import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import io.tollgate.protos.ratelimit.config.v3.RateLimitDescriptor;
import io.tollgate.protos.ratelimit.config.v3.RateLimitPolicy;
import io.tollgate.protos.ratelimit.config.v3.RateLimitUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * The YAML file format of the reference rate-limit service (envoyproxy/ratelimit): {@code domain},
 * nested {@code descriptors} with {@code key}, {@code value}, {@code rate_limit} ({@code unit},
 * {@code requests_per_unit}, {@code unlimited}, {@code name}, {@code replaces}) and {@code
 * shadow_mode}. Reading is strict like the reference: unknown keys and wrong types are errors that
 * name where they are. Pure.
 */
public final class ReferenceYaml {

  private static final Set<String> TOP_KEYS = Set.of("domain", "descriptors");
  private static final Set<String> DESCRIPTOR_KEYS =
      Set.of("key", "value", "rate_limit", "descriptors", "shadow_mode", "detailed_metric");
  private static final Set<String> POLICY_KEYS =
      Set.of("unit", "requests_per_unit", "unlimited", "name", "replaces");

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
      out.put("rate_limit", policy);
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
   * Parses a configuration.
   *
   * @throws InvalidRuleException naming the key at fault
   */
  public static RateLimitConfig read(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10);
    options.setNestingDepthLimit(40);
    Object doc;
    try {
      doc = new Yaml(new SafeConstructor(options)).load(text);
    } catch (YAMLException e) {
      throw new InvalidRuleException("", "malformed YAML: " + e.getMessage());
    }
    Map<?, ?> top = map(doc, "");
    known(top, TOP_KEYS, "");
    RateLimitConfig.Builder out = RateLimitConfig.newBuilder();
    String domain = string(top.get("domain"), "domain");
    if (domain == null) {
      throw new InvalidRuleException("domain", "is required");
    }
    out.setDomain(domain).setName(domain);
    list(top.get("descriptors"), "descriptors", out::addDescriptors);
    return out.build();
  }

  private interface Sink {
    void add(RateLimitDescriptor d);
  }

  private static void list(Object value, String where, Sink sink) {
    if (value == null) {
      return;
    }
    if (!(value instanceof List<?> items)) {
      throw new InvalidRuleException(where, "must be a list");
    }
    for (int i = 0; i < items.size(); i++) {
      sink.add(descriptor(items.get(i), where + "[" + i + "]"));
    }
  }

  private static RateLimitDescriptor descriptor(Object value, String where) {
    Map<?, ?> m = map(value, where);
    known(m, DESCRIPTOR_KEYS, where);
    RateLimitDescriptor.Builder d = RateLimitDescriptor.newBuilder();
    String key = string(m.get("key"), where + ".key");
    if (key == null || key.isEmpty()) {
      throw new InvalidRuleException(where + ".key", "is required");
    }
    d.setKey(key);
    String v = string(m.get("value"), where + ".value");
    if (v != null) {
      d.setValue(v);
    }
    if (m.get("rate_limit") != null) {
      d.setRateLimit(policy(m.get("rate_limit"), where + ".rate_limit"));
    }
    Object shadow = m.get("shadow_mode");
    if (shadow != null && !(shadow instanceof Boolean)) {
      throw new InvalidRuleException(where + ".shadow_mode", "must be true or false");
    }
    d.setShadowMode(Boolean.TRUE.equals(shadow));
    list(m.get("descriptors"), where + ".descriptors", d::addDescriptors);
    return d.build();
  }

  private static RateLimitPolicy policy(Object value, String where) {
    Map<?, ?> m = map(value, where);
    known(m, POLICY_KEYS, where);
    RateLimitPolicy.Builder p = RateLimitPolicy.newBuilder();
    String unit = string(m.get("unit"), where + ".unit");
    if (unit != null) {
      p.setUnit(
          Per.parse(unit)
              .map(per -> RateLimitUnit.valueOf(per.name()))
              .orElseThrow(
                  () ->
                      new InvalidRuleException(
                          where + ".unit",
                          "unknown unit '" + unit + "'; one of second, minute, hour, day")));
    }
    Object rpu = m.get("requests_per_unit");
    if (rpu != null) {
      if (!(rpu instanceof Integer || rpu instanceof Long)
          || ((Number) rpu).longValue() < 0
          || ((Number) rpu).longValue() > 0xffffffffL) {
        throw new InvalidRuleException(
            where + ".requests_per_unit", "must be an integer between 0 and 4294967295");
      }
      p.setRequestsPerUnit((int) ((Number) rpu).longValue());
    }
    Object unlimited = m.get("unlimited");
    p.setUnlimited(Boolean.TRUE.equals(unlimited));
    String name = string(m.get("name"), where + ".name");
    if (name != null) {
      p.setName(name);
    }
    if (m.get("replaces") != null) {
      throw new InvalidRuleException(where + ".replaces", "not supported by Tollgate");
    }
    return p.build();
  }

  private static Map<?, ?> map(Object value, String where) {
    if (!(value instanceof Map<?, ?> m)) {
      throw new InvalidRuleException(where, "must be a mapping");
    }
    return m;
  }

  private static void known(Map<?, ?> m, Set<String> keys, String where) {
    List<String> unknown = new ArrayList<>();
    m.keySet()
        .forEach(
            k -> {
              if (!keys.contains(String.valueOf(k))) {
                unknown.add(String.valueOf(k));
              }
            });
    if (!unknown.isEmpty()) {
      String at = where.isEmpty() ? unknown.get(0) : where + "." + unknown.get(0);
      throw new InvalidRuleException(
          at,
          "unknown key '" + unknown.get(0) + "'; known keys: " + keys.stream().sorted().toList());
    }
  }

  private static String string(Object value, String where) {
    if (value == null) {
      return null;
    }
    if (value instanceof String s) {
      return s;
    }
    // YAML reads 200 or true unquoted; the reference accepts them as strings for key and value.
    if (value instanceof Number || value instanceof Boolean) {
      return String.valueOf(value);
    }
    throw new InvalidRuleException(where, "must be a string");
  }
}
