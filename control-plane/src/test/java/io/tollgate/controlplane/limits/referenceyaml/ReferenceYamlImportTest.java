package io.tollgate.controlplane.limits.referenceyaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.controlplane.limits.InvalidRuleException;
import io.tollgate.controlplane.limits.validation.LimitRuleValidator;
import io.tollgate.controlplane.xds.translate.RateLimitConfigs;
import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The import reads reference YAML with the rate-limit service's own reader: a file means the same
 * limit on both sides, and what the service would refuse the import refuses, naming the field.
 */
class ReferenceYamlImportTest {

  private static String file(String requestsPerUnit) {
    return "domain: tollgate\ndescriptors:\n  - key: rule\n    value: r\n"
        + "    rate_limit: {unit: minute, requests_per_unit: "
        + requestsPerUnit
        + "}\n";
  }

  @Test
  void integersAreReadAsTheReferenceReadsThem() {
    // YAML 1.1 octal: the old SnakeYAML walk read 17, a looser limit than the service enforced.
    assertThat(
            ReferenceYaml.read(file("017")).getDescriptors(0).getRateLimit().getRequestsPerUnit())
        .isEqualTo(15);
    assertThat(
            ReferenceYaml.read(file("0x10")).getDescriptors(0).getRateLimit().getRequestsPerUnit())
        .isEqualTo(16);
  }

  @Test
  void whatTheServiceRefusesTheImportRefusesNamingTheField() {
    assertThatThrownBy(() -> ReferenceYaml.read(file("1e3")))
        .isInstanceOfSatisfying(
            InvalidRuleException.class,
            e ->
                assertThat(e.violations().get(0).field())
                    .isEqualTo("descriptors[0].rate_limit.requests_per_unit"));
    assertThatThrownBy(() -> ReferenceYaml.read("domain: tollgate\ndomain: other\n"))
        .isInstanceOfSatisfying(
            InvalidRuleException.class, e -> assertThat(e.getMessage()).contains("appears twice"));
    byte[] latin1 = "domain: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> ReferenceYaml.read(latin1))
        .isInstanceOfSatisfying(
            InvalidRuleException.class, e -> assertThat(e.getMessage()).contains("invalid UTF-8"));
  }

  @Test
  void tollgatesBurstAndAlgorithmAreReadAndAnUnknownAlgorithmIsRefusedNamingIt() {
    RateLimitConfig config =
        ReferenceYaml.read(
            """
            domain: tollgate
            descriptors:
              - key: rule
                value: b
                rate_limit: {unit: second, requests_per_unit: 5, burst: 3}
              - key: rule
                value: s
                algorithm: sliding_window
                rate_limit: {unit: minute, requests_per_unit: 9}
              - key: rule
                value: x
                algorithm: token_bucket
                rate_limit: {unit: minute, requests_per_unit: 9}
            """);
    assertThat(config.getDescriptors(0).getRateLimit().getBurst()).isEqualTo(3);
    assertThat(config.getDescriptors(1).getRateLimit().hasBurst()).isFalse();
    assertThat(config.getDescriptors(1).getAlgorithm()).isEqualTo("sliding_window");
    assertThatThrownBy(() -> RateLimitConfigs.rules(config, LimitRuleValidator::validate))
        .isInstanceOfSatisfying(
            InvalidRuleException.class,
            e -> {
              assertThat(e.violations()).hasSize(1);
              assertThat(e.violations().get(0).field()).isEqualTo("descriptors[2].algorithm");
              assertThat(e.violations().get(0).message())
                  .contains("unknown algorithm 'token_bucket'");
            });
  }
}
