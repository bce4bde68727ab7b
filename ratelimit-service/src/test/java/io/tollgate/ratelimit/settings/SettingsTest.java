package io.tollgate.ratelimit.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

  @Test
  void defaultsAreTollgatesPortsAndTheInMemoryStore() {
    Settings s = Settings.fromEnv(Map.of());
    assertThat(s.listen().grpcPort()).isEqualTo(8090);
    assertThat(s.listen().httpPort()).isEqualTo(8091);
    assertThat(s.store().backend()).isEqualTo(Settings.Backend.MEMORY);
    assertThat(s.store().failureMode()).isEqualTo(Settings.FailureMode.ERROR);
    assertThat(s.store().deadline()).isEqualTo(Duration.ofMillis(75));
    assertThat(s.config().type()).isEqualTo(Settings.ConfigType.FILE);
    assertThat(s.config().directory()).isEqualTo(Path.of("/srv/runtime_data/current/config"));
    assertThat(s.limits().nearLimitRatio()).isEqualTo(0.8);
    assertThat(s.json()).isEqualTo(new Settings.Json(false, false));
    assertThat(s.warnings()).isEmpty();
  }

  @Test
  void jsonCanBeOpenedBeyondLoopbackAndMadeReadOnly() {
    Settings s = Settings.fromEnv(Map.of("JSON_ALLOW_REMOTE", "true", "JSON_READ_ONLY", "1"));
    assertThat(s.json()).isEqualTo(new Settings.Json(true, true));
    assertThatThrownBy(() -> Settings.fromEnv(Map.of("JSON_READ_ONLY", "maybe")))
        .hasMessageContaining("JSON_READ_ONLY=maybe: expected a boolean");
  }

  @Test
  void referenceVariablesKeepTheirMeaning() {
    Settings s =
        Settings.fromEnv(
            Map.ofEntries(
                Map.entry("RUNTIME_ROOT", "/data"),
                Map.entry("RUNTIME_SUBDIRECTORY", "ratelimit"),
                Map.entry("RUNTIME_APPDIRECTORY", "conf"),
                Map.entry("BACKEND_TYPE", "redis"),
                Map.entry("REDIS_SOCKET_TYPE", "tcp"),
                Map.entry("REDIS_URL", "127.0.0.1:6379"),
                Map.entry("REDIS_TYPE", "cluster"),
                Map.entry("CONFIG_TYPE", "GRPC_XDS_SOTW"),
                Map.entry("CONFIG_GRPC_XDS_NODE_METADATA", "a=1,b=2"),
                Map.entry("CONFIG_GRPC_XDS_CLIENT_ADDITIONAL_HEADERS", "x-a:1"),
                Map.entry("XDS_CLIENT_BACKOFF_INITIAL_INTERVAL", "1m30s"),
                Map.entry("SHADOW_MODE", "1"),
                Map.entry("USE_STATSD", "true")));
    assertThat(s.config().directory()).isEqualTo(Path.of("/data/ratelimit/conf"));
    assertThat(s.redis().type()).isEqualTo(Settings.RedisType.CLUSTER);
    assertThat(s.xds().nodeMetadata()).containsEntry("a", "1").containsEntry("b", "2");
    assertThat(s.xds().headers()).containsEntry("x-a", "1");
    assertThat(s.xds().backoffInitial()).isEqualTo(Duration.ofSeconds(90));
    assertThat(s.limits().globalShadowMode()).isTrue();
    assertThat(s.warnings()).singleElement().asString().contains("USE_STATSD");
  }

  @Test
  void everyInvalidValueIsReportedAtOnce() {
    assertThatThrownBy(
            () ->
                Settings.fromEnv(
                    Map.of(
                        "GRPC_PORT", "eighty",
                        "STORE_DEADLINE", "75",
                        "BACKEND_TYPE", "memcache",
                        "NEAR_LIMIT_RATIO", "2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("GRPC_PORT=eighty")
        .hasMessageContaining("STORE_DEADLINE=75")
        .hasMessageContaining("BACKEND_TYPE=memcache")
        .hasMessageContaining("NEAR_LIMIT_RATIO=2");
  }

  @Test
  void redisOverAUnixSocketIsRefusedClearly() {
    assertThatThrownBy(() -> Settings.fromEnv(Map.of("BACKEND_TYPE", "redis")))
        .hasMessageContaining("REDIS_SOCKET_TYPE=unix");
  }

  @Test
  void xdsClientTlsTakesTheReferenceVariables() {
    Settings.Xds xds =
        Settings.fromEnv(
                Map.of(
                    "CONFIG_GRPC_XDS_SERVER_USE_TLS", "true",
                    "CONFIG_GRPC_XDS_CLIENT_TLS_CERT", "/tls/cert.pem",
                    "CONFIG_GRPC_XDS_CLIENT_TLS_KEY", "/tls/key.pem",
                    "CONFIG_GRPC_XDS_SERVER_TLS_CACERT", "/tls/ca.pem",
                    "CONFIG_GRPC_XDS_SERVER_TLS_SAN", "control-plane.tollgate"))
            .xds();
    assertThat(xds.tls()).isTrue();
    assertThat(xds.clientCert()).isEqualTo("/tls/cert.pem");
    assertThat(xds.clientKey()).isEqualTo("/tls/key.pem");
    assertThat(xds.serverCaCert()).isEqualTo("/tls/ca.pem");
    assertThat(xds.serverSan()).isEqualTo("control-plane.tollgate");
    assertThat(Settings.fromEnv(Map.of()).xds().tls()).isFalse();
  }

  @Test
  void aClientCertificateWithoutItsKeyIsRefused() {
    assertThatThrownBy(
            () ->
                Settings.fromEnv(
                    Map.of(
                        "CONFIG_GRPC_XDS_SERVER_USE_TLS", "true",
                        "CONFIG_GRPC_XDS_CLIENT_TLS_CERT", "/tls/cert.pem")))
        .hasMessageContaining(
            "CONFIG_GRPC_XDS_CLIENT_TLS_CERT and CONFIG_GRPC_XDS_CLIENT_TLS_KEY go together");
  }

  @Test
  void tlsFilesWithoutUseTlsAreAWarningNotASilentPlaintext() {
    assertThat(
            Settings.fromEnv(Map.of("CONFIG_GRPC_XDS_SERVER_TLS_CACERT", "/tls/ca.pem")).warnings())
        .anyMatch(w -> w.contains("CONFIG_GRPC_XDS_SERVER_USE_TLS is not true"));
  }

  @Test
  void rlqsSettingsHaveDefaultsAndRefuseBadValues() {
    Settings.Quota q = Settings.fromEnv(Map.of()).quota();
    assertThat(q.reportingInterval()).isEqualTo(java.time.Duration.ofSeconds(5));
    assertThat(q.assignmentTtlMax()).isEqualTo(java.time.Duration.ofMinutes(1));
    assertThat(q.maxBucketsPerStream()).isEqualTo(10_000);
    assertThat(q.storeFailure()).isEqualTo(Settings.QuotaStoreFailure.SHARE);
    assertThatThrownBy(() -> Settings.fromEnv(Map.of("RLQS_REPORTING_INTERVAL", "10ms")))
        .hasMessageContaining("RLQS_REPORTING_INTERVAL must be at least 100ms");
    assertThatThrownBy(() -> Settings.fromEnv(Map.of("RLQS_ASSIGNMENT_TTL_MAX", "5s")))
        .hasMessageContaining("RLQS_ASSIGNMENT_TTL_MAX must be at least 1s");
    assertThatThrownBy(() -> Settings.fromEnv(Map.of("RLQS_ASSIGNMENT_TTL_MAX", "500ms")))
        .hasMessageContaining("longer than RLQS_REPORTING_INTERVAL");
    assertThatThrownBy(() -> Settings.fromEnv(Map.of("RLQS_STORE_FAILURE_ASSIGNMENT", "maybe")))
        .hasMessageContaining("RLQS_STORE_FAILURE_ASSIGNMENT=maybe: expected one of");
    assertThatThrownBy(() -> Settings.fromEnv(Map.of("RLQS_SHARE_SMOOTHING", "0")))
        .hasMessageContaining("RLQS_SHARE_SMOOTHING=0: expected a number from 0.01 to 1");
    assertThatThrownBy(() -> Settings.fromEnv(Map.of("RLQS_MAX_BUCKETS_PER_STREAM", "0")))
        .hasMessageContaining("RLQS_MAX_BUCKETS_PER_STREAM=0: expected an integer from 1");
  }
}
