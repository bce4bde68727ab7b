package io.tollgate.ratelimit.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import io.tollgate.protos.ratelimit.config.v3.RateLimitDescriptor;
import io.tollgate.protos.ratelimit.config.v3.RateLimitPolicy;
import io.tollgate.protos.ratelimit.config.v3.RateLimitReplace;
import io.tollgate.protos.ratelimit.config.v3.RateLimitUnit;
import io.tollgate.referenceconfig.ConfigDocument;
import io.tollgate.referenceconfig.DescriptorSpec;
import org.junit.jupiter.api.Test;

/** Every field of the reference's xDS resource reaches the document a YAML file would give. */
class XdsConfigMapperTest {

  @Test
  void mapsEveryFieldTheReferenceMaps() {
    RateLimitConfig config =
        RateLimitConfig.newBuilder()
            .setName("rls-1")
            .setDomain("d")
            .addDescriptors(
                RateLimitDescriptor.newBuilder()
                    .setKey("k")
                    .setValue("v")
                    .setShadowMode(true)
                    .setDetailedMetric(true)
                    .setRateLimit(
                        RateLimitPolicy.newBuilder()
                            .setUnit(RateLimitUnit.MINUTE)
                            .setRequestsPerUnit(7)
                            .setName("r")
                            .addReplaces(RateLimitReplace.newBuilder().setName("old")))
                    .addDescriptors(RateLimitDescriptor.newBuilder().setKey("inner")))
            .build();

    ConfigDocument doc = new XdsConfigMapper().toDocument(config);

    assertThat(doc.source()).isEqualTo("rls-1");
    assertThat(doc.domain()).isEqualTo("d");
    DescriptorSpec d = doc.descriptors().get(0);
    assertThat(d.key()).isEqualTo("k");
    assertThat(d.value()).isEqualTo("v");
    assertThat(d.shadowMode()).isTrue();
    assertThat(d.detailedMetric()).isTrue();
    assertThat(d.rateLimit().unit()).isEqualTo("MINUTE");
    assertThat(d.rateLimit().requestsPerUnit()).isEqualTo(7);
    assertThat(d.rateLimit().name()).isEqualTo("r");
    assertThat(d.rateLimit().replaces()).containsExactly("old");
    assertThat(d.descriptors()).extracting(DescriptorSpec::key).containsExactly("inner");
  }
}
