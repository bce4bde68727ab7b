package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.testsupport.PostgresServer;
import io.tollgate.testsupport.RateLimitServiceProcess;
import io.tollgate.testsupport.RedisServer;
import io.tollgate.testsupport.SourceAddressHttp;
import io.tollgate.testsupport.Teardown;
import io.tollgate.testsupport.TestCa;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Everything the limit-rule suites need on loopback: the proxy stack ({@link TollgateStack}: nginx
 * mock, control plane, Envoy) plus the rate-limit service configured over xDS by that control
 * plane, and, per {@link Variant}, PostgreSQL for the control plane and Redis for the counters.
 * Clients speak from any 127.0.0.0/8 address, so a test can be several client IPs.
 */
final class LimitsStack implements AutoCloseable {

  /**
   * Which backends a run uses.
   *
   * @param postgres the control plane on a real PostgreSQL instead of its H2 file
   * @param redis the rate-limit service counting in a real redis-server instead of memory
   * @param failClosed Envoy answers 500 when the rate-limit service fails (else it lets through)
   */
  record Variant(boolean postgres, boolean redis, boolean failClosed) {}

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Variant variant;
  private final TestCa grpcCa;
  private final Teardown started = new Teardown();
  private TollgateStack gateway;
  private RateLimitServiceProcess rateLimit;
  private PostgresServer postgres;

  private LimitsStack(Variant variant, TestCa grpcCa) {
    this.variant = variant;
    this.grpcCa = grpcCa;
  }

  static LimitsStack start(Variant variant) {
    return start(variant, null);
  }

  /**
   * With {@code grpcCa} (null: plaintext), Envoy calls the rate-limit service over mutual TLS: the
   * service holds a server certificate of that CA and requires client certificates of it, and the
   * control plane gives Envoy's cluster a client certificate of it ({@code
   * TOLLGATE_RATELIMIT_TLS_*}, the name to verify defaulting to the address, 127.0.0.1).
   */
  static LimitsStack start(Variant variant, TestCa grpcCa) {
    LimitsStack stack = new LimitsStack(variant, grpcCa);
    try {
      stack.startAll();
      return stack;
    } catch (RuntimeException | Error e) {
      stack.close();
      throw e;
    }
  }

  private void startAll() {
    if (variant.postgres()) {
      postgres = PostgresServer.start("tollgate");
      started.add(postgres);
    }
    RedisServer redis = null;
    if (variant.redis()) {
      redis = RedisServer.start();
      started.add(redis);
    }
    PostgresServer db = postgres;
    gateway =
        TollgateStack.start(
            cp -> {
              cp.env("TOLLGATE_RATELIMIT_FAILUREMODEDENY", Boolean.toString(variant.failClosed()));
              if (grpcCa != null) {
                TestCa.ClientCertificate envoy =
                    grpcCa.issueClientCertificate("envoy-to-ratelimit", TestCa.ENVOY_ROLE);
                cp.env("TOLLGATE_RATELIMIT_TLS_CERT", envoy.certFile().toString())
                    .env("TOLLGATE_RATELIMIT_TLS_KEY", envoy.keyFile().toString())
                    .env("TOLLGATE_RATELIMIT_TLS_CA", grpcCa.caFile().toString());
              }
              if (db != null) {
                cp.env("TOLLGATE_DB_URL", db.jdbcUrl())
                    .env("SPRING_DATASOURCE_USERNAME", db.user());
              }
            });
    started.add(gateway);
    RateLimitServiceProcess.Builder rls =
        RateLimitServiceProcess.builder(gateway.controlPlane().xdsPort())
            .grpcPort(gateway.rateLimitPort());
    if (redis != null) {
      rls.redis(redis.address());
    }
    if (grpcCa != null) {
      TestCa.ServerCertificate server = grpcCa.issueServerCertificate("ratelimit");
      rls.env("GRPC_SERVER_USE_TLS", "true")
          .env("GRPC_SERVER_TLS_CERT", server.certFile().toString())
          .env("GRPC_SERVER_TLS_KEY", server.keyFile().toString())
          .env("GRPC_CLIENT_TLS_CACERT", grpcCa.caFile().toString());
    }
    rateLimit = rls.start();
    started.add(rateLimit);
  }

  Variant variant() {
    return variant;
  }

  TollgateStack gateway() {
    return gateway;
  }

  RateLimitServiceProcess rateLimit() {
    return rateLimit;
  }

  /** A request through Envoy from {@code clientIp}. */
  SourceAddressHttp.Response send(
      String clientIp, String method, String path, Map<String, String> headers) {
    return SourceAddressHttp.from(clientIp)
        .send(method, "127.0.0.1", gateway.proxyPort(), path, headers);
  }

  SourceAddressHttp.Response get(String clientIp, String path) {
    return send(clientIp, "GET", path, Map.of());
  }

  /** {@code tollgate.yaml} with the stack's upstream and route, then {@code more} (e.g. limits). */
  void writeConfig(String more) {
    gateway.writeConfig(gateway.httpMockConfig() + more);
  }

  /** POSTs a rule; returns the rules version it created. */
  long create(String ruleJson) {
    HttpResponse<String> r = rest("POST", "/api/v1/limits", ruleJson, null);
    assertThat(r.statusCode()).as("POST %s -> %s", ruleJson, r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).path("version").asLong();
  }

  /** PUTs a rule over whatever version is stored; returns the rules version it created. */
  long replace(String name, String ruleJson) {
    HttpResponse<String> r = rest("PUT", "/api/v1/limits/" + name, ruleJson, "*");
    assertThat(r.statusCode()).as("PUT %s -> %s", ruleJson, r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("version").asLong();
  }

  void delete(String name) {
    HttpResponse<String> r = rest("DELETE", "/api/v1/limits/" + name, null, "*");
    assertThat(r.statusCode()).as("DELETE %s -> %s", name, r.body()).isIn(200, 204);
  }

  HttpResponse<String> rest(String method, String path, String body, String ifMatch) {
    return gateway.rest(method, path, body, ifMatch);
  }

  /**
   * Waits until the control plane reports that Envoy and the rate-limit service have both applied
   * rules version {@code version} or later, so a test can count from its first request.
   */
  void awaitApplied(long version) {
    gateway
        .controlPlane()
        .process()
        .await(
            "Envoy and the rate-limit service to apply rules version " + version,
            Duration.ofSeconds(10),
            () -> {
              JsonNode status =
                  JSON.readTree(rest("GET", "/api/v1/limits/status", null, null).body());
              List<String> kinds = new ArrayList<>();
              for (JsonNode node : status.path("nodes")) {
                if (node.path("connected").asBoolean()
                    && node.path("appliedRulesVersion").asLong(-1) >= version) {
                  kinds.add(node.path("kind").asString());
                }
              }
              return kinds.contains("envoy") && kinds.contains("ratelimit");
            });
  }

  /** Sum of Envoy's counters whose names end with {@code suffix}, e.g. a ratelimit filter stat. */
  long envoyCounterSum(String suffix) {
    long sum = 0;
    for (String line : gateway.envoy().admin("/stats?filter=" + suffix).split("\n")) {
      int colon = line.lastIndexOf(": ");
      if (colon > 0 && line.substring(0, colon).endsWith(suffix)) {
        OptionalLong v = parse(line.substring(colon + 2).trim());
        sum += v.orElse(0);
      }
    }
    return sum;
  }

  private static OptionalLong parse(String value) {
    try {
      return OptionalLong.of(Long.parseLong(value));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  @Override
  public void close() {
    started.close();
  }
}
