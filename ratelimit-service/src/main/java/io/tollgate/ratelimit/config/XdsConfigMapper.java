package io.tollgate.ratelimit.config;

import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import io.tollgate.protos.ratelimit.config.v3.RateLimitDescriptor;
import io.tollgate.protos.ratelimit.config.v3.RateLimitPolicy;
import io.tollgate.protos.ratelimit.config.v3.RateLimitReplace;
import io.tollgate.referenceconfig.ConfigDocument;
import io.tollgate.referenceconfig.DescriptorSpec;
import io.tollgate.referenceconfig.RateLimitSpec;
import java.util.List;
import java.util.Map;

/**
 * The reference's {@code ConfigXdsProtoToYaml}: an xDS {@code RateLimitConfig} becomes the same
 * document a YAML file would, so both paths share every check. The resource's {@code name} is the
 * source errors cite.
 */
public final class XdsConfigMapper {

  public ConfigDocument toDocument(RateLimitConfig config) {
    return new ConfigDocument(
        config.getName(), config.getDomain(), descriptors(config.getDescriptorsList()));
  }

  private static List<DescriptorSpec> descriptors(List<RateLimitDescriptor> protos) {
    return protos.stream().map(XdsConfigMapper::descriptor).toList();
  }

  private static DescriptorSpec descriptor(RateLimitDescriptor d) {
    return new DescriptorSpec(
        d.getKey(),
        d.getValue(),
        d.hasRateLimit() ? rateLimit(d.getRateLimit()) : null,
        descriptors(d.getDescriptorsList()),
        d.getShadowMode(),
        false,
        d.getDetailedMetric(),
        false,
        false,
        Map.of(),
        d.getAlgorithm());
  }

  private static RateLimitSpec rateLimit(RateLimitPolicy p) {
    return new RateLimitSpec(
        p.getUnit().name(),
        Integer.toUnsignedLong(p.getRequestsPerUnit()),
        p.getUnlimited(),
        p.getName(),
        p.getReplacesList().stream().map(RateLimitReplace::getName).toList(),
        p.hasBurst() ? Integer.toUnsignedLong(p.getBurst()) : null);
  }
}
