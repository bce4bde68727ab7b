package io.tollgate.controlplane.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.ResponseFlags;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.tollgate.controlplane.stats.AccessRecord;
import io.tollgate.controlplane.xds.translate.EnvoyNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The mapping, fed through the wire reader as the sink feeds it. */
class AccessLogMapperTest {

  static AccessRecord map(HTTPAccessLogEntry entry) {
    try {
      return AccessLogWire.message(
              StreamAccessLogsMessage.newBuilder()
                  .setHttpLogs(
                      StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder().addLogEntry(entry))
                  .build()
                  .toByteArray())
          .records()
          .get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Filter metadata in one namespace, as the rate-limit and quota filters write it. */
  private static Metadata metadata(String namespace, Map<String, Value> fields) {
    return Metadata.newBuilder()
        .putFilterMetadata(namespace, Struct.newBuilder().putAllFields(fields).build())
        .build();
  }

  private static Value text(String value) {
    return Value.newBuilder().setStringValue(value).build();
  }

  @Test
  void mapsAPlainRequest() {
    AccessRecord r =
        map(AccessLogEntries.entry(200, "/items/MLA1?attributes=id#x", "10.1.2.3", 2500));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.path()).isEqualTo("/items/MLA1");
    assertThat(r.clientIp()).isEqualTo("10.1.2.3");
    assertThat(r.upstream()).isEqualTo("mock");
    assertThat(r.rateLimited()).isFalse();
    assertThat(r.rule()).isNull();
    assertThat(r.latencyMicros()).isEqualTo(2500);
    assertThat(r.requestId()).isEqualTo("req-1");
    assertThat(r.startMillis()).isEqualTo(1_800_000_000_005L);
  }

  @Test
  void countsAnAnswerOfTheResponseCacheUnderItsUpstream() {
    HTTPAccessLogEntry.Builder e =
        AccessLogEntries.entry(200, "/categories/MLA", "10.1.2.3", 300).toBuilder();
    e.getResponseBuilder().setResponseCodeDetails(EnvoyNames.CACHE_HIT_DETAILS);
    e.getCommonPropertiesBuilder().setUpstreamCluster("tollgate_cache_60s_mock");

    AccessRecord r = map(e.build());

    assertThat(r.cacheHit()).isTrue();
    assertThat(r.upstream()).isEqualTo("mock");
    assertThat(map(AccessLogEntries.entry(200, "/a", "10.1.2.3", 1)).cacheHit()).isFalse();
  }

  /**
   * A 429 of the rate-limit filter (rule and limit in its metadata) and of the quota filter (as
   * Envoy 1.40 logs an approximate-tier rejection, checked against the real binary): both name the
   * rule and the limit.
   */
  @ParameterizedTest
  @MethodSource("rejections")
  void namesTheRuleAndLimitOfARejection(HTTPAccessLogEntry entry, String rule, String limit) {
    AccessRecord r = map(entry);
    assertThat(r.rateLimited()).isTrue();
    assertThat(r.rule()).isEqualTo(rule);
    assertThat(r.limit()).isEqualTo(limit);
    assertThat(r.upstream()).isEqualTo("-");
    assertThat(r.requestId()).isEqualTo("req-1");
  }

  static Stream<Arguments> rejections() {
    HTTPAccessLogEntry.Builder rateLimit =
        AccessLogEntries.entry(429, "/sites/MLA", "10.1.2.3", 2500).toBuilder();
    rateLimit
        .getCommonPropertiesBuilder()
        .setUpstreamCluster("")
        .setResponseFlags(ResponseFlags.newBuilder().setRateLimited(true))
        .setMetadata(
            metadata(
                AccessLogMapper.RATELIMIT_NAMESPACE,
                Map.of(
                    "rule", text("sites-per-ip"),
                    "limit", Value.newBuilder().setNumberValue(5).build(),
                    "unit", text("MINUTE"))));
    HTTPAccessLogEntry.Builder quota =
        AccessLogEntries.entry(429, "/categories/MLA", "10.1.2.3", 300).toBuilder();
    quota
        .getResponseBuilder()
        .setResponseCodeDetails(AccessLogMapper.QUOTA_DETAILS)
        .putResponseHeaders(AccessLogMapper.LIMIT_HEADER, "100, 100;w=60");
    quota
        .getCommonPropertiesBuilder()
        .setUpstreamCluster("")
        .setResponseFlags(ResponseFlags.newBuilder().setResponseFromCacheFilter(true))
        .setMetadata(
            metadata(
                AccessLogMapper.QUOTA_NAMESPACE,
                Map.of("rule", text("approx"), "remote_address", text("10.1.2.3"))));
    return Stream.of(
        Arguments.of(rateLimit.build(), "sites-per-ip", "5/minute"),
        Arguments.of(quota.build(), "approx", "100, 100;w=60"));
  }

  /**
   * An access-list 403 names its entry from the response code details; nothing else does: not an
   * upstream's 403, nor the same details on another status.
   */
  @ParameterizedTest
  @CsvSource(
      nullValues = "null",
      value = {
        "403, rbac_access_denied_matched_policy[scrapers], scrapers",
        "403, rbac_access_denied_matched_policy[none], none",
        "403, via_upstream, null",
        "200, rbac_access_denied_matched_policy[x], null"
      })
  void namesTheAccessEntryOfAnRbac403(int status, String details, String entry) {
    HTTPAccessLogEntry.Builder e =
        AccessLogEntries.entry(status, "/admin", "192.0.2.7", 100).toBuilder();
    e.getResponseBuilder().setResponseCodeDetails(details);
    e.getCommonPropertiesBuilder().setUpstreamCluster("");
    AccessRecord r = map(e.build());
    assertThat(r.access()).isEqualTo(entry);
    assertThat(r.rateLimited()).isFalse();
  }

  /** A request the quota filter let through still carries its bucket: not rate limited. */
  @Test
  void anAdmittedRequestWithABucketIsNotRateLimited() {
    HTTPAccessLogEntry.Builder e =
        AccessLogEntries.entry(200, "/categories/MLA", "10.1.2.3", 300).toBuilder();
    e.getCommonPropertiesBuilder()
        .setMetadata(metadata(AccessLogMapper.QUOTA_NAMESPACE, Map.of("rule", text("approx"))));
    assertThat(map(e.build()).rateLimited()).isFalse();
  }

  @Test
  void namesTheShadowRulesAPassedCallWentOver() {
    AccessRecord r =
        passedWith(
            AccessLogMapper.SHADOW_RULES_KEY,
            ListValue.newBuilder()
                .addValues(text("a"))
                .addValues(Value.newBuilder().setNumberValue(3))
                .addValues(text("b")));
    assertThat(r.rateLimited()).isFalse();
    assertThat(r.shadowRules()).containsExactly("a", "b");
    assertThat(map(AccessLogEntries.entry(200, "/", "10.1.2.3", 1)).shadowRules()).isEmpty();
  }

  @Test
  void namesTheRulesThatCountedTheCallBoundedAndCut() {
    ListValue.Builder names = ListValue.newBuilder();
    names.addValues(text("x".repeat(300)));
    names.addValues(Value.newBuilder().setBoolValue(true));
    for (int i = 0; i < 20; i++) {
      names.addValues(text("r" + i));
    }
    AccessRecord r = passedWith(AccessLogMapper.COUNTED_RULES_KEY, names);
    assertThat(r.countedRules()).hasSize(AccessLogMapper.MAX_LISTED_RULES);
    assertThat(r.countedRules().get(0)).hasSize(AccessRecord.MAX_KEY_LENGTH);
    assertThat(r.countedRules().subList(1, 3)).containsExactly("r0", "r1");
    assertThat(r.shadowRules()).isEmpty();
    assertThat(map(AccessLogEntries.entry(200, "/", "10.1.2.3", 1)).countedRules()).isEmpty();
  }

  /** A call the rate-limit filter passed, with {@code list} under {@code key} in its metadata. */
  private static AccessRecord passedWith(String key, ListValue.Builder list) {
    HTTPAccessLogEntry.Builder e =
        AccessLogEntries.entry(200, "/sites/MLA", "10.1.2.3", 2500).toBuilder();
    e.getCommonPropertiesBuilder()
        .setMetadata(
            metadata(
                AccessLogMapper.RATELIMIT_NAMESPACE,
                Map.of(key, Value.newBuilder().setListValue(list).build())));
    return map(e.build());
  }

  @Test
  void a429FromTheUpstreamIsNotRateLimited() {
    assertThat(map(AccessLogEntries.entry(429, "/", "10.1.2.3", 2500)).rateLimited()).isFalse();
  }

  @Test
  void fallsBackToTheDirectAddressAndBoundsLongPaths() {
    HTTPAccessLogEntry.Builder e =
        AccessLogEntries.entry(200, "/" + "a".repeat(5000), "", 2500).toBuilder();
    e.getCommonPropertiesBuilder().clearDownstreamRemoteAddress();
    AccessRecord r = map(e.build());
    assertThat(r.clientIp()).isEqualTo("127.0.0.1");
    assertThat(r.path()).hasSize(AccessRecord.MAX_KEY_LENGTH);
  }

  /** A sampled answer under 400 stands for N; the tag is the control plane's, so junk counts 1. */
  @ParameterizedTest
  @CsvSource({
    "200, 10, 10",
    "304, 1000, 1000",
    "200, 1, 1",
    "404, 10, 1",
    "429, 10, 1",
    "200, 0, 1",
    "200, -5, 1",
    "200, 1001, 1",
    "200, 99999999999, 1",
    "200, ten, 1",
    "200, '', 1"
  })
  void weighsASampledAnswerByItsTag(int status, String tag, int weight) {
    HTTPAccessLogEntry.Builder e = AccessLogEntries.entry(status, "/", "10.1.2.3", 100).toBuilder();
    e.getCommonPropertiesBuilder()
        .putCustomTags("other", "7")
        .putCustomTags(GrpcAccessLogFactory.SAMPLE_TAG, tag);
    assertThat(map(e.build()).weight()).isEqualTo(weight);
  }

  @Test
  void anEntryWithoutTheTagCountsOnce() {
    assertThat(map(AccessLogEntries.entry(200, "/", "10.1.2.3", 100)).weight()).isEqualTo(1);
  }
}
