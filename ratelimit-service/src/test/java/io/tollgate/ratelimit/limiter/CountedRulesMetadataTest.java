package io.tollgate.ratelimit.limiter;

import static io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code.OK;
import static io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code.OVER_LIMIT;
import static io.tollgate.ratelimit.limiter.LimiterFixture.d;
import static io.tollgate.ratelimit.limiter.LimiterFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Value;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The {@code countedRules} metadata: the rules (descriptor chains starting {@code rule=<name>})
 * that counted a call, which the control plane's statistics turn into per-rule hits.
 */
class CountedRulesMetadataTest {

  private static final String CONFIG =
      """
      domain: tollgate
      descriptors:
        - key: rule
          value: per-ip
          descriptors:
            - key: remote_address
              rate_limit: {unit: minute, requests_per_unit: 3, name: per-ip}
        - key: rule
          value: watch
          descriptors:
            - key: remote_address
              rate_limit: {unit: minute, requests_per_unit: 1, name: watch}
              shadow_mode: true
        - key: rule
          value: ranges
          descriptors:
            - key: masked_remote_address
              value: 10.0.0.0/8
              rate_limit: {unit: minute, requests_per_unit: 100, name: ranges}
            - key: masked_remote_address
              value: 10.1.0.0/16
              rate_limit: {unit: minute, requests_per_unit: 100, name: ranges}
        - key: rule
          value: free
          descriptors:
            - key: remote_address
              rate_limit: {unlimited: true}
        - key: plain
          rate_limit: {unit: minute, requests_per_unit: 100}
      """;

  private static RateLimitDescriptor rule(String name, String key, String value) {
    return d("rule", name, key, value);
  }

  private static List<String> counted(RateLimitResponse r) {
    Value v = r.getDynamicMetadata().getFieldsMap().get("countedRules");
    return v == null
        ? null
        : v.getListValue().getValuesList().stream().map(Value::getStringValue).toList();
  }

  @Test
  void namesEveryRuleThatCountedTheCallUnderOrOverItsLimitOnce() {
    LimiterFixture f = new LimiterFixture(CONFIG);
    RateLimitRequest call =
        request(
            "tollgate",
            rule("per-ip", "remote_address", "10.1.2.3"),
            rule("watch", "remote_address", "10.1.2.3"),
            rule("ranges", "masked_remote_address", "10.0.0.0/8"),
            rule("ranges", "masked_remote_address", "10.1.0.0/16"),
            rule("free", "remote_address", "10.1.2.3"),
            rule("unconfigured", "remote_address", "10.1.2.3"),
            d("plain", "x"));
    for (int i = 1; i <= 5; i++) {
      RateLimitResponse r = f.call(call);
      assertThat(r.getOverallCode()).isEqualTo(i <= 3 ? OK : OVER_LIMIT);
      // Unlimited and unconfigured rules count nothing; the blocked and shadowed calls still count.
      assertThat(counted(r)).as("call %d", i).containsExactly("per-ip", "watch", "ranges");
    }
  }

  @Test
  void absentWhenNoDescriptorNamesARule() {
    LimiterFixture f = new LimiterFixture(CONFIG);
    RateLimitResponse r = f.call(request("tollgate", d("plain", "x")));
    assertThat(r.getStatuses(0).hasCurrentLimit()).isTrue();
    assertThat(counted(r)).isNull();
    assertThat(counted(f.call(request("tollgate", rule("free", "remote_address", "a"))))).isNull();
    assertThat(counted(f.call(request("tollgate", rule("unconfigured", "remote_address", "a")))))
        .isNull();
  }

  @Test
  void absentForAPeekAndWhenTheMetadataIsTurnedOff() throws Exception {
    RateLimitRequest call = request("tollgate", rule("per-ip", "remote_address", "10.1.2.3"));
    LimiterFixture f = new LimiterFixture(CONFIG);
    assertThat(counted(f.limiter.peek(call).get(5, TimeUnit.SECONDS))).isNull();
    LimiterFixture off = new LimiterFixture(CONFIG, Map.of("OVER_LIMIT_METADATA_ENABLED", "false"));
    assertThat(counted(off.call(call))).isNull();
  }

  @Test
  void atMostSixteenRulesAreNamed() {
    StringBuilder yaml = new StringBuilder("domain: tollgate\ndescriptors:\n");
    IntStream.range(0, 20)
        .forEach(
            i ->
                yaml.append("  - key: rule\n    value: r")
                    .append(i)
                    .append(
                        "\n    descriptors:\n      - key: remote_address\n"
                            + "        rate_limit: {unit: minute, requests_per_unit: 9}\n"));
    LimiterFixture f = new LimiterFixture(yaml.toString());
    RateLimitRequest.Builder call = RateLimitRequest.newBuilder().setDomain("tollgate");
    IntStream.range(0, 20).forEach(i -> call.addDescriptors(rule("r" + i, "remote_address", "a")));
    assertThat(counted(f.call(call.build())))
        .hasSize(ResponseBuilder.MAX_COUNTED_RULES)
        .startsWith("r0", "r1")
        .endsWith("r15");
  }
}
