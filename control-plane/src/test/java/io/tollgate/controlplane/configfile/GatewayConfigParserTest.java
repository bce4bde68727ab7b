package io.tollgate.controlplane.configfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.Mode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GatewayConfigParserTest {

  private final GatewayConfigParser parser = new GatewayConfigParser();

  @Test
  void parsesTheShippedDefaultConfig() throws Exception {
    Path file = Path.of("../config/tollgate.yaml");

    GatewayConfig config = parser.parse(file.toString(), Files.readString(file));

    assertThat(config.listener()).isEqualTo(new ListenerSpec("0.0.0.0", 8080, 0));
    assertThat(config.upstreams())
        .containsExactly(
            new UpstreamSpec(
                "mercadolibre",
                true,
                "api.mercadolibre.com",
                443,
                Optional.empty(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(15)));
    assertThat(config.routes())
        .containsExactly(new RouteSpec("default", new PathMatch.Prefix("/"), "mercadolibre"));
  }

  @Test
  void parsesTheMockConfig() throws Exception {
    Path file = Path.of("../config/tollgate.mock.yaml");

    GatewayConfig config = parser.parse(file.toString(), Files.readString(file));

    UpstreamSpec mock = config.upstreams().get(0);
    assertThat(mock.tls()).isFalse();
    assertThat(mock.endpoints().get(0).authority(mock.tls())).isEqualTo("127.0.0.1:8088");
  }

  @Test
  void appliesDefaultsAndKeepsRouteOrder() throws Exception {
    GatewayConfig config =
        parser.parse(
            "t.yaml",
            """
            upstreams:
              - { name: a, url: "HTTPS://[::1]:8443" }
            routes:
              - { name: exact, match: { path: /x }, upstream: a }
              - { name: regex, match: { pathRegex: "/y/[0-9]+" }, upstream: a }
              - { name: prefix, match: { pathPrefix: / }, upstream: a }
            """);

    assertThat(config.listener()).isEqualTo(new ListenerSpec("0.0.0.0", 8080, 0));
    UpstreamSpec a = config.upstreams().get(0);
    assertThat(a.endpoints()).containsExactly(new UpstreamEndpoint("::1", 8443));
    assertThat(a.endpoints().get(0).authority(a.tls())).isEqualTo("[::1]:8443");
    assertThat(a.circuitBreaker()).isEqualTo(CircuitBreakerSpec.DEFAULT);
    assertThat(a.outlierDetection()).isEqualTo(OutlierDetectionSpec.DEFAULT);
    assertThat(a.healthCheck()).isEmpty();
    assertThat(a.connectTimeout()).isEqualTo(UpstreamSpec.DEFAULT_CONNECT_TIMEOUT);
    assertThat(config.routes())
        .extracting(RouteSpec::match)
        .containsExactly(
            new PathMatch.Exact("/x"), new PathMatch.Regex("/y/[0-9]+"), new PathMatch.Prefix("/"));
  }

  @Test
  void reportsEveryProblemNotJustTheFirst() {
    assertThatThrownBy(
            () ->
                parser.parse(
                    "t.yaml",
                    """
                    listener: { address: not-an-ip }
                    upstreams:
                      - { name: a, url: "ftp://x" }
                    routes:
                      - { name: r, match: { pathPrefix: x }, upstream: b }
                    """))
        .isInstanceOfSatisfying(
            InvalidConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "t.yaml: listener.address: must be an IP address, got 'not-an-ip'",
                        "t.yaml: upstreams[0].url: scheme must be http or https, got 'ftp'",
                        "t.yaml: routes[0].match.pathPrefix: must start with '/' and contain no"
                            + " whitespace, '?' or '#'",
                        "t.yaml: routes[0].upstream: unknown upstream 'b'"));
  }

  @Test
  void reportsEveryStructuralProblemWithItsKeyBeforeAnyMeaning() {
    assertThatThrownBy(
            () ->
                parser.parse(
                    "t.yaml",
                    """
                    listener: { port: 0, adress: 127.0.0.1 }
                    upstreams:
                      - { name: a, url: "ftp://x" }
                    routes:
                      - { name: r, match: { pathPrefix: }, upstream: a }
                    limits:
                      - { name: l, match: { pathPrefix: }, limit: { requests: 1, per: 1 } }
                    """))
        .isInstanceOfSatisfying(
            InvalidConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "t.yaml: listener.adress: unknown key (expected one of address, port,"
                            + " xffNumTrustedHops)",
                        "t.yaml: listener.port: must have a minimum value of 1",
                        "t.yaml: routes[0].match.pathPrefix: null found, string expected",
                        "t.yaml: limits[0].match.pathPrefix: null found, string expected",
                        "t.yaml: limits[0].limit.per: does not have a value in the enumeration"
                            + " [\"second\", \"minute\", \"hour\", \"day\"]"));
  }

  @Test
  void aRouteToABrokenUpstreamIsNotReportedAsUnknown() {
    assertThatThrownBy(
            () ->
                parser.parse(
                    "t.yaml",
                    """
                    upstreams:
                      - { name: a, url: "https://x", timeout: soon }
                    routes:
                      - { name: r, match: { pathPrefix: / }, upstream: a }
                    """))
        .isInstanceOfSatisfying(
            InvalidConfigException.class, e -> assertThat(e.problems()).hasSize(1));
  }

  @Test
  void readsLimitRulesWithTheRestDefaults() throws Exception {
    GatewayConfig config =
        parser.parse(
            "t.yaml",
            """
            upstreams:
              - { name: a, url: "http://127.0.0.1:8088" }
            routes:
              - { name: r, match: { pathPrefix: / }, upstream: a }
            limits:
              - name: per-ip
                match: { pathPrefix: /categories/, methods: [GET], sourceCidrs: [10.0.0.0/8] }
                by: [ip]
                limit: { requests: 5, per: minute }
              - { name: blocked, limit: { requests: 0, per: second }, mode: shadow, enabled: false }
            """);

    assertThat(config.limits()).extracting(LimitRule::name).containsExactly("per-ip", "blocked");
    LimitRule perIp = config.limits().get(0);
    assertThat(perIp.by()).isEqualTo(List.of("ip"));
    assertThat(perIp.mode()).isEqualTo(Mode.ENFORCE);
    assertThat(perIp.enabled()).isTrue();
    assertThat(perIp.limit().requests()).isEqualTo(5L);
    assertThat(config.limits().get(1).enabled()).isFalse();
    assertThat(config.limits().get(1).mode()).isEqualTo(Mode.SHADOW);
  }

  @Test
  void aFileWithoutLimitsDeclaresNone() throws Exception {
    Path file = Path.of("../config/tollgate.mock.yaml");

    assertThat(parser.parse(file.toString(), Files.readString(file)).limits()).isEmpty();
  }

  @Test
  void aDateLikeScalarIsTheStringWritten() throws Exception {
    GatewayConfig config =
        parser.parse(
            "t.yaml",
            """
            upstreams:
              - { name: 2024-01-01, url: "https://x", caFile: 2024-01-01 }
            routes:
              - { name: r, match: { pathPrefix: / }, upstream: 2024-01-01 }
            """);

    assertThat(config.upstreams().get(0).name()).isEqualTo("2024-01-01");
    assertThat(config.upstreams().get(0).caFile()).contains("2024-01-01");
  }

  @Test
  void stripsValuesAndReadsEveryUpstreamSetting() throws Exception {
    GatewayConfig config =
        parser.parse(
            "t.yaml",
            """
            listener: { address: " 127.0.0.1 ", port: 9000, xffNumTrustedHops: 2 }
            upstreams:
              - name: " a "
                url: " https://API.example.com "
                caFile: /etc/ca.pem
                connectTimeout: 500ms
                timeout: 1m
            routes:
              - { name: r, match: { pathPrefix: " /v1 " }, upstream: " a " }
            """);

    assertThat(config.listener()).isEqualTo(new ListenerSpec("127.0.0.1", 9000, 2));
    assertThat(config.upstreams())
        .containsExactly(
            new UpstreamSpec(
                "a",
                true,
                "api.example.com",
                443,
                Optional.of("/etc/ca.pem"),
                Duration.ofMillis(500),
                Duration.ofMinutes(1)));
    assertThat(config.routes())
        .containsExactly(new RouteSpec("r", new PathMatch.Prefix("/v1"), "a"));
  }

  @Test
  void readsEndpointsAndResilienceSettingsWithDefaultsForWhatIsLeftOut() throws Exception {
    GatewayConfig config =
        parser.parse(
            "t.yaml",
            """
            upstreams:
              - name: pool
                endpoints: [ "http://10.0.0.1:8080", "http://API.example.com" ]
                circuitBreaker: { maxRequests: 50 }
                outlierDetection: { consecutive5xx: 3, interval: 1s }
                healthCheck: { path: /healthz, interval: 2s }
            routes:
              - name: a
                match: { pathPrefix: /a }
                upstream: pool
                timeout: 3s
                retries:
                  attempts: 2
                  on: [ reset, 5xx ]
                  perTryTimeout: 1s
                  budget: { percent: 25 }
              - { name: b, match: { pathPrefix: / }, upstream: pool, retries: {} }
            """);

    UpstreamSpec pool = config.upstreams().get(0);
    assertThat(pool.endpoints())
        .containsExactly(
            new UpstreamEndpoint("10.0.0.1", 8080), new UpstreamEndpoint("api.example.com", 80));
    assertThat(pool.circuitBreaker()).isEqualTo(new CircuitBreakerSpec(1024, 1024, 50, 3));
    assertThat(pool.outlierDetection())
        .isEqualTo(
            new OutlierDetectionSpec(
                Optional.of(3),
                Optional.empty(),
                5,
                Duration.ofSeconds(1),
                Duration.ofSeconds(30),
                100));
    assertThat(pool.healthCheck())
        .contains(
            new HealthCheckSpec("/healthz", Duration.ofSeconds(2), Duration.ofSeconds(1), 3, 2));
    RetrySpec.RetryBudget budget = new RetrySpec.RetryBudget(25, 3);
    assertThat(config.routes())
        .containsExactly(
            new RouteSpec(
                "a",
                new PathMatch.Prefix("/a"),
                "pool",
                Optional.of(Duration.ofSeconds(3)),
                new RetrySpec(
                    2,
                    List.of("5xx", "reset"),
                    Optional.of(Duration.ofSeconds(1)),
                    Optional.of(budget)),
                Optional.empty()),
            new RouteSpec(
                "b",
                new PathMatch.Prefix("/"),
                "pool",
                Optional.empty(),
                new RetrySpec(1, RetrySpec.DEFAULT.on(), Optional.empty(), Optional.empty()),
                Optional.empty()));
    assertThat(config.retryBudget("pool")).contains(budget);
  }
}
