package io.tollgate.ratelimit.quota;

import static io.tollgate.ratelimit.quota.RlqsClient.bucket;
import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.ratelimit.config.CompiledConfig;
import io.tollgate.ratelimit.config.ConfigCompiler;
import io.tollgate.referenceconfig.ReferenceYamlReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A bucket id resolves to the limit ShouldRateLimit would apply to the same chain. */
class BucketLimitsTest {

  private static final CompiledConfig CONFIG =
      new ConfigCompiler(false)
          .compile(
              List.of(
                  new ReferenceYamlReader()
                      .read(
                          "test.yaml",
                          """
                          domain: tollgate
                          descriptors:
                            - key: rule
                              value: api
                              descriptors:
                                - key: match_path_prefix
                                  value: /api
                                  descriptors:
                                    - key: remote_address
                                      rate_limit: {name: api, unit: minute, requests_per_unit: 7}
                            - key: rule
                              value: users
                              descriptors:
                                - key: header:x-user
                                  value: "team-*"
                                  share_threshold: true
                                  rate_limit: {unit: hour, requests_per_unit: 9}
                          """)));

  private final BucketLimits limits = new BucketLimits("pre_");

  @Test
  void entriesResolveInTheTreesOrderWhateverTheMapsOrder() {
    BucketLimits.Resolved r =
        limits.resolve(
            CONFIG,
            "tollgate",
            bucket("remote_address", "10.0.0.1", "rule", "api", "match_path_prefix", "/api"));
    assertThat(r.counted()).isTrue();
    assertThat(r.policy().name()).isEqualTo("api");
    assertThat(r.policy().requestsPerUnit()).isEqualTo(7);
    assertThat(r.allowedBase())
        .isEqualTo("pre_rlqs_tollgate_rule_api_match_path_prefix_/api_remote_address_10.0.0.1_");
    assertThat(r.demandBase()).startsWith("pre_rlqs_demand_tollgate_rule_api_");
  }

  @Test
  void wildcardsMatchAndShareTheirCounterAsInShouldRateLimit() {
    BucketLimits.Resolved a =
        limits.resolve(CONFIG, "tollgate", bucket("rule", "users", "header:x-user", "team-a"));
    BucketLimits.Resolved b =
        limits.resolve(CONFIG, "tollgate", bucket("rule", "users", "header:x-user", "team-b"));
    assertThat(a.policy().requestsPerUnit()).isEqualTo(9);
    assertThat(a.allowedBase()).isEqualTo(b.allowedBase());
  }

  @Test
  void noLimitEndsOnAnIncompleteUnknownOrLongerChain() {
    assertThat(limits.resolve(CONFIG, "tollgate", bucket("rule", "api")))
        .isEqualTo(BucketLimits.Resolved.NONE);
    assertThat(limits.resolve(CONFIG, "tollgate", bucket("rule", "nope")))
        .isEqualTo(BucketLimits.Resolved.NONE);
    assertThat(
            limits.resolve(
                CONFIG,
                "tollgate",
                bucket(
                    "rule", "api", "match_path_prefix", "/api", "remote_address", "1", "x", "y")))
        .isEqualTo(BucketLimits.Resolved.NONE);
    assertThat(limits.resolve(CONFIG, "other", bucket("rule", "api")))
        .isEqualTo(BucketLimits.Resolved.NONE);
    assertThat(limits.resolve(null, "tollgate", bucket("rule", "api")))
        .isEqualTo(BucketLimits.Resolved.NONE);
  }
}
