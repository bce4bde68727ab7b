package io.tollgate.ratelimit.limiter;

import static io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code.OK;
import static io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code.OVER_LIMIT;
import static io.tollgate.ratelimit.limiter.LimiterFixture.d;
import static io.tollgate.ratelimit.limiter.LimiterFixture.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import io.grpc.Status;
import io.tollgate.ratelimit.stats.LimitStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Decisions as the reference makes them, on its own example configurations. */
class RateLimiterTest {

  private static String reference(String name) {
    try (InputStream in = RateLimiterTest.class.getResourceAsStream("/reference/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int allowedOf(LimiterFixture f, int calls, String domain, String... pairs) {
    int ok = 0;
    for (int i = 0; i < calls; i++) {
      if (f.code(domain, pairs) == OK) {
        ok++;
      }
    }
    return ok;
  }

  @Test
  void exactValueBeatsTheKeyDefaultAndAValueWithoutLimitWhitelists() {
    LimiterFixture f = new LimiterFixture(reference("basic_config.yaml"));
    assertThat(allowedOf(f, 40, "test-domain", "key2", "value2")).isEqualTo(30);
    assertThat(allowedOf(f, 40, "test-domain", "key2", "other")).isEqualTo(20);
    assertThat(allowedOf(f, 40, "test-domain", "key2", "value3")).isEqualTo(40);
    RateLimitResponse r = f.call("test-domain", "key2", "value2");
    assertThat(r.getStatuses(0).getCurrentLimit().getRequestsPerUnit()).isEqualTo(30);
    assertThat(f.call("test-domain", "key2", "value3").getStatuses(0).hasCurrentLimit()).isFalse();
  }

  @Test
  void eachValueOfADefaultKeyCountsSeparately() {
    LimiterFixture f = new LimiterFixture(reference("basic_config.yaml"));
    assertThat(allowedOf(f, 3, "test-domain", "key3", "a")).isEqualTo(1);
    assertThat(allowedOf(f, 3, "test-domain", "key3", "b")).isEqualTo(1);
  }

  @Test
  void nestedDescriptorsMatchOnlyAtTheirDepth() {
    LimiterFixture f = new LimiterFixture(reference("basic_config.yaml"));
    assertThat(allowedOf(f, 12, "test-domain", "key1", "value1", "subkey1", "x")).isEqualTo(5);
    assertThat(allowedOf(f, 12, "test-domain", "key1", "value1", "subkey1", "subvalue1"))
        .isEqualTo(10);
    // The first level has no limit of its own, and a deeper request matches nothing.
    assertThat(allowedOf(f, 12, "test-domain", "key1", "value1")).isEqualTo(12);
    assertThat(allowedOf(f, 12, "test-domain", "key1", "value1", "subkey1", "x", "z", "z"))
        .isEqualTo(12);
    // key5 has a limit at level one; a two-entry descriptor gets the level-two one.
    assertThat(
            f.call("test-domain", "key5", "value5", "subkey5", "subvalue5")
                .getStatuses(0)
                .getCurrentLimit()
                .getRequestsPerUnit())
        .isEqualTo(25);
  }

  @Test
  void wildcardsMatchInConfigurationOrderAfterExactValues() {
    LimiterFixture f = new LimiterFixture(reference("wildcard.yaml"));
    assertThat(limitOf(f, "wild", "foo1")).isEqualTo(20);
    assertThat(limitOf(f, "wild", "foo")).isEqualTo(20);
    assertThat(limitOf(f, "wild", "bar")).isZero();
    assertThat(limitOf(f, "noWild", "foo")).isEqualTo(20);
    assertThat(limitOf(f, "noWild", "foo1")).isZero();
    assertThat(limitOf(f, "midWild", "barXb")).isEqualTo(20);
    assertThat(limitOf(f, "midWild", "barXc")).isZero();
    assertThat(limitOf(f, "multiWild", "foo-bar-baz")).isEqualTo(10);
    assertThat(limitOf(f, "multiWild", "foo-baz")).isZero();
    assertThat(
            f.call("test-domain", "nestedWild", "val1", "wild", "goo2")
                .getStatuses(0)
                .getCurrentLimit()
                .getRequestsPerUnit())
        .isEqualTo(20);
    // A wildcard still counts each value apart (without share_threshold).
    assertThat(allowedOf(f, 25, "test-domain", "wild", "foo3")).isEqualTo(20);
    assertThat(allowedOf(f, 25, "test-domain", "wild", "foo4")).isEqualTo(20);
  }

  @Test
  void shareThresholdMakesEveryMatchingValueShareOneCounter() {
    LimiterFixture f = new LimiterFixture(reference("share_threshold.yaml"));
    int ok = 0;
    for (int i = 0; i < 150; i++) {
      if (f.code("test-domain", "files", "files/" + i + ".pdf") == OK) {
        ok++;
      }
    }
    assertThat(ok).isEqualTo(100);
    // The explicit value keeps its own limit and counter.
    assertThat(allowedOf(f, 60, "test-domain", "file", "test1")).isEqualTo(50);
    // The shared counter's stats are reported under the pattern.
    assertThat(statsFor(f, "test-domain.files_files/*").totalHits().sum()).isEqualTo(150);
  }

  @Test
  void unlimitedAnswersOkWithTheMaximumRemaining() {
    LimiterFixture f = new LimiterFixture(reference("basic_config.yaml"));
    for (int i = 0; i < 5; i++) {
      DescriptorStatus s = f.call("test-domain", "key6", "anything").getStatuses(0);
      assertThat(s.getCode()).isEqualTo(OK);
      assertThat(Integer.toUnsignedLong(s.getLimitRemaining())).isEqualTo(4_294_967_295L);
      assertThat(s.hasCurrentLimit()).isFalse();
    }
  }

  @Test
  void replacesDropsTheReplacedLimitFromTheSameCall() {
    LimiterFixture f = new LimiterFixture(reference("examples/example.yaml"));
    // category=account replaces the limits named "bkthomps" and "fake_name".
    RateLimitResponse r =
        f.call(request("rl", d("category", "account"), d("foo", "x", "bar", "bkthomps")));
    assertThat(r.getStatuses(0).getCurrentLimit().getRequestsPerUnit()).isEqualTo(4);
    assertThat(r.getStatuses(1).hasCurrentLimit()).isFalse();
    // Alone, the bkthomps limit (1 a minute) applies.
    assertThat(allowedOf(f, 3, "rl", "foo", "x", "bar", "bkthomps")).isEqualTo(1);

    RateLimitRequest banned =
        request(
            "rl",
            d("foo", "x", "bar", "banned"),
            d("source_cluster", "proxy", "destination_cluster", "override"));
    RateLimitResponse b = f.call(banned);
    assertThat(b.getStatuses(0).hasCurrentLimit()).as("banned_limit replaced").isFalse();
    assertThat(b.getOverallCode()).isEqualTo(OK);
    assertThat(f.code("rl", "foo", "x", "bar", "banned")).isEqualTo(OVER_LIMIT);
  }

  @Test
  void ruleShadowModeNeverBlocksButCounts() {
    LimiterFixture f = new LimiterFixture(reference("shadowmode_config.yaml"));
    for (int i = 0; i < 25; i++) {
      assertThat(f.code("test-domain", "key2", "x")).isEqualTo(OK);
    }
    LimitStats s = statsFor(f, "test-domain.key2");
    assertThat(s.overLimit().sum()).isEqualTo(5);
    assertThat(s.shadowMode().sum()).isEqualTo(5);
    RateLimitResponse r = f.call("test-domain", "key2", "x");
    assertThat(r.getStatuses(0).getCode()).isEqualTo(OK);
    assertThat(r.getStatuses(0).getLimitRemaining()).isZero();
    assertThat(
            r.getDynamicMetadata()
                .getFieldsOrThrow("shadowRules")
                .getListValue()
                .getValues(0)
                .getStringValue())
        .isEqualTo("test-domain.key2");
    // The non-shadow sibling still blocks.
    assertThat(allowedOf(f, 35, "test-domain", "key2", "value2")).isEqualTo(30);
  }

  @Test
  void globalShadowModeTurnsOverLimitIntoOkAndCountsIt() {
    LimiterFixture f =
        new LimiterFixture(reference("basic_config.yaml"), Map.of("SHADOW_MODE", "true"));
    for (int i = 0; i < 25; i++) {
      f.call("test-domain", "key2", "x");
    }
    RateLimitResponse r = f.call("test-domain", "key2", "x");
    assertThat(r.getOverallCode()).isEqualTo(OK);
    assertThat(r.getStatuses(0).getCode()).isEqualTo(OVER_LIMIT);
    assertThat(f.serviceStats.globalShadowModeCount()).isEqualTo(6);
    assertThat(r.getResponseHeadersToAddList())
        .extracting(HeaderValue::getKey)
        .doesNotContain("retry-after");
  }

  @Test
  void quotaModeDeniesOnlyWhenEveryQuotaDescriptorIsExhausted() {
    LimiterFixture f = new LimiterFixture(reference("examples/example.yaml"));
    RateLimitRequest both = request("rl", d("service", "service_1"), d("service", "service_2"));
    // service_1 allows 1 a minute, service_2 allows 2: the call passes while either has quota.
    assertThat(f.call(both).getOverallCode()).isEqualTo(OK);
    RateLimitResponse second = f.call(both);
    assertThat(second.getOverallCode()).isEqualTo(OK);
    assertThat(second.getStatuses(0).getCode()).isEqualTo(OVER_LIMIT);
    assertThat(f.call(both).getOverallCode()).isEqualTo(OVER_LIMIT);
    // A quota descriptor alone behaves like a limit once exhausted.
    assertThat(f.code("rl", "service", "service_1")).isEqualTo(OVER_LIMIT);
  }

  @Test
  void globalQuotaModeTreatsEveryDescriptorAsQuota() {
    LimiterFixture f =
        new LimiterFixture(
            reference("basic_config.yaml"),
            Map.of("QUOTA_MODE", "true", "RESPONSE_DYNAMIC_METADATA", "true"));
    RateLimitRequest r = request("test-domain", d("key3", "a"), d("key2", "b"));
    assertThat(f.call(r).getOverallCode()).isEqualTo(OK);
    RateLimitResponse second = f.call(r);
    assertThat(second.getOverallCode()).isEqualTo(OK);
    assertThat(
            second
                .getDynamicMetadata()
                .getFieldsOrThrow("quotaModeViolations")
                .getListValue()
                .getValues(0)
                .getNumberValue())
        .isEqualTo(0);
    assertThat(second.getDynamicMetadata().getFieldsOrThrow("quotaModeEnabled").getBoolValue())
        .isTrue();
  }

  @Test
  void fixedWindowsAreAlignedToTheEpoch() {
    LimiterFixture f = new LimiterFixture(reference("basic_config.yaml"));
    // key2: 20 a minute. Spend it in the last second of a minute.
    f.clock.set(LimiterFixture.T0 + 59_000);
    assertThat(allowedOf(f, 25, "test-domain", "key2", "x")).isEqualTo(20);
    RateLimitResponse over = f.call("test-domain", "key2", "x");
    assertThat(over.getStatuses(0).getDurationUntilReset().getSeconds()).isEqualTo(1);
    f.clock.set(LimiterFixture.T0 + 59_999);
    assertThat(f.code("test-domain", "key2", "x")).isEqualTo(OVER_LIMIT);
    f.clock.set(LimiterFixture.T0 + 60_000);
    assertThat(f.code("test-domain", "key2", "x")).isEqualTo(OK);
    assertThat(
            f.call("test-domain", "key2", "x").getStatuses(0).getDurationUntilReset().getSeconds())
        .isEqualTo(60);
    // key4: one a day, reset at midnight UTC.
    f.clock.set(LimiterFixture.T0 + 86_399_000);
    assertThat(allowedOf(f, 2, "test-domain", "key4", "x")).isEqualTo(1);
    f.clock.set(LimiterFixture.T0 + 86_400_000);
    assertThat(f.code("test-domain", "key4", "x")).isEqualTo(OK);
  }

  @Test
  void hitsAddendOfTheRequestAndOfEachDescriptor() {
    LimiterFixture f = new LimiterFixture(reference("basic_config.yaml"));
    RateLimitRequest five =
        RateLimitRequest.newBuilder()
            .setDomain("test-domain")
            .setHitsAddend(5)
            .addDescriptors(d("key2", "x"))
            .build();
    RateLimitResponse r = f.call(five);
    assertThat(r.getStatuses(0).getLimitRemaining()).isEqualTo(15);
    // Per descriptor, and zero only looks.
    RateLimitResponse look = f.call(request("test-domain", d(0, "key2", "x")));
    assertThat(look.getStatuses(0).getLimitRemaining()).isEqualTo(15);
    RateLimitResponse ten = f.call(request("test-domain", d(10, "key2", "x")));
    assertThat(ten.getStatuses(0).getLimitRemaining()).isEqualTo(5);
    assertThat(f.call(request("test-domain", d(6, "key2", "x"))).getOverallCode())
        .isEqualTo(OVER_LIMIT);
    LimitStats s = statsFor(f, "test-domain.key2");
    assertThat(s.totalHits().sum()).isEqualTo(21);
    assertThat(s.overLimit().sum()).isEqualTo(1);
  }

  @Test
  void nearLimitIsCountedAsTheReferenceCountsIt() {
    LimiterFixture f = new LimiterFixture(reference("basic_config.yaml"));
    // key2: 20 a minute, near limit from 16 (0.8 * 20).
    for (int i = 0; i < 22; i++) {
      f.call("test-domain", "key2", "x");
    }
    LimitStats s = statsFor(f, "test-domain.key2");
    assertThat(s.withinLimit().sum()).isEqualTo(20);
    assertThat(s.nearLimit().sum()).isEqualTo(4);
    assertThat(s.overLimit().sum()).isEqualTo(2);
    // A jump across both thresholds splits the hits: 15 -> 23 is 4 near and 3 over.
    LimiterFixture g = new LimiterFixture(reference("basic_config.yaml"));
    g.call(request("test-domain", d(15, "key2", "y")));
    g.call(request("test-domain", d(8, "key2", "y")));
    LimitStats t = statsFor(g, "test-domain.key2");
    assertThat(t.nearLimit().sum()).isEqualTo(4);
    assertThat(t.overLimit().sum()).isEqualTo(3);
  }

  @Test
  void aLimitInTheRequestOverridesTheConfiguration() {
    LimiterFixture f = new LimiterFixture(reference("basic_config.yaml"));
    RateLimitDescriptor withLimit =
        d("key2", "x").toBuilder()
            .setLimit(
                RateLimitDescriptor.RateLimitOverride.newBuilder()
                    .setRequestsPerUnit(2)
                    .setUnitValue(1))
            .build();
    int ok = 0;
    for (int i = 0; i < 5; i++) {
      if (f.call(request("test-domain", withLimit)).getOverallCode() == OK) {
        ok++;
      }
    }
    assertThat(ok).isEqualTo(2);
  }

  @Test
  void unknownDomainIsOkAndBadRequestsFailAsTheReferenceFails() {
    LimiterFixture f = new LimiterFixture(reference("basic_config.yaml"));
    assertThat(f.code("nope", "key2", "x")).isEqualTo(OK);
    assertThatThrownBy(
            () -> f.call(RateLimitRequest.newBuilder().addDescriptors(d("a", "b")).build()))
        .isInstanceOfSatisfying(
            RateLimitException.class,
            e -> {
              assertThat(e.status().getCode()).isEqualTo(Status.Code.UNKNOWN);
              assertThat(e.status().getDescription())
                  .isEqualTo("rate limit domain must not be empty");
            });
    assertThatThrownBy(() -> f.call(RateLimitRequest.newBuilder().setDomain("x").build()))
        .isInstanceOfSatisfying(
            RateLimitException.class,
            e ->
                assertThat(e.status().getDescription())
                    .isEqualTo("rate limit descriptor list must not be empty"));
    LimiterFixture empty = new LimiterFixture(null);
    assertThatThrownBy(() -> empty.code("test-domain", "a", "b"))
        .isInstanceOfSatisfying(
            RateLimitException.class,
            e ->
                assertThat(e.status().getDescription())
                    .isEqualTo("no rate limit configuration loaded"));
    assertThat(f.serviceStats.serviceErrors()).isEqualTo(2);
  }

  @Test
  void overTheLimitTheResponseSaysWhenToRetryAndWhichRuleBlocked() {
    LimiterFixture f = new LimiterFixture(reference("basic_config.yaml"));
    f.clock.set(LimiterFixture.T0 + 42_000);
    f.call("test-domain", "key4", "x");
    RateLimitResponse r = f.call("test-domain", "key4", "x");
    assertThat(r.getOverallCode()).isEqualTo(OVER_LIMIT);
    assertThat(headers(r)).containsEntry("retry-after", String.valueOf(86_400 - 42));
    var md = r.getDynamicMetadata().getFieldsMap();
    assertThat(md.get("rule").getStringValue()).isEqualTo("key4_rate_limit");
    assertThat(md.get("limit").getNumberValue()).isEqualTo(1);
    assertThat(md.get("unit").getStringValue()).isEqualTo("DAY");
    assertThat(md.get("retryAfter").getNumberValue()).isEqualTo(86_400 - 42);
    // A rule without a name is named by its path.
    f.call("test-domain", "key3", "y");
    assertThat(
            f.call("test-domain", "key3", "y")
                .getDynamicMetadata()
                .getFieldsOrThrow("rule")
                .getStringValue())
        .isEqualTo("test-domain.key3");
    // Within the limit: no retry-after, no blocking rule.
    RateLimitResponse ok = f.call("test-domain", "key2", "z");
    assertThat(headers(ok)).doesNotContainKey("retry-after");
    assertThat(ok.hasDynamicMetadata()).isFalse();
  }

  @Test
  void optionalHeadersDescribeTheDescriptorClosestToItsLimit() {
    LimiterFixture f =
        new LimiterFixture(
            reference("basic_config.yaml"),
            Map.of(
                "LIMIT_RESPONSE_HEADERS_ENABLED",
                "true",
                "IETF_RATELIMIT_HEADERS_ENABLED",
                "true"));
    f.clock.set(LimiterFixture.T0 + 10_000);
    RateLimitResponse r = f.call(request("test-domain", d("key2", "x"), d("key4", "y")));
    Map<String, String> h = headers(r);
    assertThat(h)
        .containsEntry("RateLimit-Limit", "1")
        .containsEntry("RateLimit-Remaining", "0")
        .containsEntry("RateLimit-Reset", String.valueOf(86_400 - 10))
        .containsEntry("RateLimit-Policy", "\"key4_rate_limit\";q=1;w=86400")
        .containsEntry("RateLimit", "\"key4_rate_limit\";r=0;t=" + (86_400 - 10));
  }

  @Test
  void referenceDynamicMetadataListsTheCallAndConfiguredMetadata() {
    LimiterFixture f =
        new LimiterFixture(reference("metadata.yaml"), Map.of("RESPONSE_DYNAMIC_METADATA", "true"));
    RateLimitResponse r = f.call("test-domain", "key2", "x");
    var md = r.getDynamicMetadata().getFieldsMap();
    assertThat(md.get("domain").getStringValue()).isEqualTo("test-domain");
    assertThat(
            md.get("descriptors")
                .getListValue()
                .getValues(0)
                .getStructValue()
                .getFieldsOrThrow("entries")
                .getListValue()
                .getValues(0)
                .getStringValue())
        .isEqualTo("key2=x");
    assertThat(
            md.get("metadata")
                .getStructValue()
                .getFieldsOrThrow("service_with_quota")
                .getStructValue()
                .getFieldsOrThrow("name")
                .getStringValue())
        .isEqualTo("service_2");
  }

  @Test
  void detailedMetricAndValueToMetricReportPerValueSeries() {
    LimiterFixture f = new LimiterFixture(reference("basic_config.yaml"));
    f.call("test-domain", "key7", "alpha");
    f.call("test-domain", "key7", "beta");
    assertThat(statsFor(f, "test-domain.key7_alpha").totalHits().sum()).isEqualTo(1);
    assertThat(statsFor(f, "test-domain.key7_beta").totalHits().sum()).isEqualTo(1);

    LimiterFixture g = new LimiterFixture(reference("share_threshold.yaml"));
    g.call("test-domain", "route", "api/users", "method", "GET");
    assertThat(statsFor(g, "test-domain.route_api/*.method").totalHits().sum()).isEqualTo(1);
  }

  private static long limitOf(LimiterFixture f, String key, String value) {
    return f.call("test-domain", key, value).getStatuses(0).getCurrentLimit().getRequestsPerUnit();
  }

  private static LimitStats statsFor(LimiterFixture f, String key) {
    return f.stats.all().stream()
        .filter(s -> String.join(".", s.path()).equals(key))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no stats for "
                        + key
                        + " in "
                        + f.stats.all().stream()
                            .map(s -> String.join(".", s.path()))
                            .collect(Collectors.toList())));
  }

  private static Map<String, String> headers(RateLimitResponse r) {
    return r.getResponseHeadersToAddList().stream()
        .collect(Collectors.toMap(HeaderValue::getKey, HeaderValue::getValue));
  }
}
