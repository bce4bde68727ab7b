package io.tollgate.controlplane;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Every setting of the control plane, bound from {@code tollgate.*} properties or the matching
 * environment variables ({@code TOLLGATE_CONFIG}, {@code TOLLGATE_XDS_PORT}, ...). The README's
 * settings table mirrors this record. Bounds are Bean Validation constraints ({@link Validated}): a
 * value out of them stops the start with a message naming the property and the variable it came
 * from; what a constraint cannot say is checked in the records' constructors.
 *
 * @param config the declarative file of listeners, upstreams and routes ({@code TOLLGATE_CONFIG})
 * @param xds the gRPC endpoint serving ADS and the access-log sink
 * @param admin who may use the REST API
 * @param upstreamCaBundle CA bundle, on the Envoy host, that verifies https upstreams without their
 *     own {@code caFile} ({@code TOLLGATE_UPSTREAM_CA_BUNDLE})
 * @param ratelimit how Envoy reaches the rate-limit service and what it does when it cannot
 * @param stats the access-log statistics: aggregation, storage, retention
 * @param history how long the limit rules' audit trail is kept
 * @param approximate how Envoy's quota buckets of approximate rules behave without an assignment
 * @param accessLog whether Envoy streams its access log to the control plane, and which entries
 * @param limits how rule changes reach the snapshot
 */
@ConfigurationProperties("tollgate")
@Validated
public record ControlPlaneSettings(
    @DefaultValue("config/tollgate.yaml") @NotNull Path config,
    @DefaultValue @Valid Xds xds,
    @DefaultValue Admin admin,
    @DefaultValue("/etc/ssl/certs/ca-certificates.crt") @NotBlank String upstreamCaBundle,
    @DefaultValue @Valid Ratelimit ratelimit,
    @DefaultValue @Valid Stats stats,
    @DefaultValue @Valid History history,
    @DefaultValue @Valid Approximate approximate,
    @DefaultValue @Valid AccessLog accessLog,
    @DefaultValue Limits limits) {

  /**
   * @param address interface of the gRPC server ({@code TOLLGATE_XDS_ADDRESS})
   * @param port its port ({@code TOLLGATE_XDS_PORT})
   * @param tls mutual TLS on the port; required beyond loopback
   * @param maxConnectionAge a connection older than this (plus or minus 10%) is asked to go away,
   *     so Envoys and rate-limit services spread again over the replicas behind a Service ({@code
   *     TOLLGATE_XDS_MAX_CONNECTION_AGE})
   * @param maxConnectionAgeGrace how long its streams may continue after that before they are cut
   *     and the peer reconnects ({@code TOLLGATE_XDS_MAX_CONNECTION_AGE_GRACE})
   */
  public record Xds(
      @DefaultValue("127.0.0.1") @NotBlank String address,
      @DefaultValue("18000") @Min(0) @Max(65_535) int port,
      @DefaultValue XdsTls tls,
      @DefaultValue("10m") Duration maxConnectionAge,
      @DefaultValue("30s") Duration maxConnectionAgeGrace) {

    public Xds {
      if (maxConnectionAge.isNegative() || maxConnectionAge.isZero()) {
        throw new IllegalArgumentException(
            "TOLLGATE_XDS_MAX_CONNECTION_AGE must be positive: " + maxConnectionAge);
      }
      if (maxConnectionAgeGrace.isNegative()) {
        throw new IllegalArgumentException(
            "TOLLGATE_XDS_MAX_CONNECTION_AGE_GRACE must not be negative: " + maxConnectionAgeGrace);
      }
    }
  }

  /**
   * PEM files of the gRPC port's mutual TLS; all three or none (blank = unset).
   *
   * @param cert the control plane's certificate chain ({@code TOLLGATE_XDS_TLS_CERT})
   * @param key its private key, PKCS#8 ({@code TOLLGATE_XDS_TLS_KEY})
   * @param clientCa the CA every client certificate must chain to ({@code
   *     TOLLGATE_XDS_TLS_CLIENT_CA})
   */
  public record XdsTls(String cert, String key, String clientCa) {}

  /**
   * @param token bearer token the REST API requires when bound beyond loopback ({@code
   *     TOLLGATE_ADMIN_TOKEN})
   * @param allowedHosts {@code Host} names (with or without {@code :port}) the control plane
   *     answers to besides the loopback names, e.g. a compose or Kubernetes service name ({@code
   *     TOLLGATE_ADMIN_ALLOWED_HOSTS}, comma-separated)
   * @param corsOrigins origins whose pages may call {@code /api/**} cross-origin; none = CORS off
   *     ({@code TOLLGATE_ADMIN_CORS_ORIGINS}, comma-separated)
   */
  public record Admin(
      String token,
      @DefaultValue List<String> allowedHosts,
      @DefaultValue List<String> corsOrigins) {}

  /**
   * The limit rules' audit trail ({@code TOLLGATE_HISTORY_*}), pruned hourly; the revision each
   * live rule is at is always kept.
   *
   * @param retention revisions older than this are pruned ({@code TOLLGATE_HISTORY_RETENTION})
   * @param maxRevisions at most this many revisions are kept, the newest ({@code
   *     TOLLGATE_HISTORY_MAX_REVISIONS})
   */
  public record History(
      @DefaultValue("90d") Duration retention, @DefaultValue("10000") @Positive int maxRevisions) {

    public History {
      if (retention.isNegative() || retention.isZero()) {
        throw new IllegalArgumentException(
            "tollgate.history.retention must be positive: " + retention);
      }
    }
  }

  /**
   * @param address the rate-limit services' gRPC endpoints, as Envoy reaches them ({@code
   *     TOLLGATE_RATELIMIT_ADDRESS}): one host or a comma-separated list of {@code host[:port]} (IP
   *     literals or DNS names); Envoy balances over them and leaves a dead one
   * @param port the gRPC port of entries without one ({@code TOLLGATE_RATELIMIT_PORT})
   * @param timeout Envoy's deadline for one ShouldRateLimit call ({@code
   *     TOLLGATE_RATELIMIT_TIMEOUT})
   * @param failureModeDeny true: answer 500 when the service fails or is late (fail closed); false:
   *     let the request through (fail open) ({@code TOLLGATE_RATELIMIT_FAILUREMODEDENY})
   * @param tls mutual TLS of Envoy's calls to the services; none: plaintext
   */
  public record Ratelimit(
      @DefaultValue("127.0.0.1") String address,
      @DefaultValue("8090") int port,
      @DefaultValue("250ms") java.time.Duration timeout,
      @DefaultValue("false") boolean failureModeDeny,
      @DefaultValue RatelimitTls tls) {

    public Ratelimit {
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("TOLLGATE_RATELIMIT_PORT: out of 1..65535: " + port);
      }
      endpoints(address, port);
      if (tls == null) {
        tls = new RatelimitTls(null, null, null, null);
      }
    }

    /**
     * The name the services' certificate must carry: {@code TOLLGATE_RATELIMIT_TLS_SERVER_NAME},
     * else the first host of {@code TOLLGATE_RATELIMIT_ADDRESS}.
     */
    public String tlsServerName() {
      return isBlank(tls.serverName()) ? endpoints().get(0).getHostString() : tls.serverName();
    }

    /** {@link #address()} as a list, each entry with its port; validated at binding. */
    public List<InetSocketAddress> endpoints() {
      return endpoints(address, port);
    }

    private static List<InetSocketAddress> endpoints(String address, int port) {
      return EndpointList.parse("TOLLGATE_RATELIMIT_ADDRESS", address, port);
    }
  }

  /**
   * PEM files, on the Envoy host (Envoy reads them, not the control plane), of the mutual TLS of
   * Envoy's calls to the rate-limit services; the three files or none (blank = unset).
   *
   * @param cert Envoy's client certificate chain ({@code TOLLGATE_RATELIMIT_TLS_CERT})
   * @param key its private key ({@code TOLLGATE_RATELIMIT_TLS_KEY})
   * @param ca the CA the services' certificate must chain to ({@code TOLLGATE_RATELIMIT_TLS_CA})
   * @param serverName SNI Envoy sends and the DNS or IP SAN the services' certificate must carry
   *     ({@code TOLLGATE_RATELIMIT_TLS_SERVER_NAME}; default: the first host of {@code
   *     TOLLGATE_RATELIMIT_ADDRESS})
   */
  public record RatelimitTls(String cert, String key, String ca, String serverName) {

    public RatelimitTls {
      Map<String, String> files = new LinkedHashMap<>();
      files.put("TOLLGATE_RATELIMIT_TLS_CERT", cert);
      files.put("TOLLGATE_RATELIMIT_TLS_KEY", key);
      files.put("TOLLGATE_RATELIMIT_TLS_CA", ca);
      List<String> missing =
          files.entrySet().stream()
              .filter(e -> isBlank(e.getValue()))
              .map(Map.Entry::getKey)
              .toList();
      if (!missing.isEmpty() && missing.size() < files.size()) {
        throw new IllegalArgumentException(
            String.join(" and ", missing)
                + " not set: mutual TLS to the rate-limit services needs TOLLGATE_RATELIMIT_TLS_CERT,"
                + " TOLLGATE_RATELIMIT_TLS_KEY and TOLLGATE_RATELIMIT_TLS_CA together");
      }
      if (!missing.isEmpty() && !isBlank(serverName)) {
        throw new IllegalArgumentException(
            "TOLLGATE_RATELIMIT_TLS_SERVER_NAME is set but TOLLGATE_RATELIMIT_TLS_CERT,"
                + " TOLLGATE_RATELIMIT_TLS_KEY and TOLLGATE_RATELIMIT_TLS_CA are not: the calls"
                + " stay plaintext");
      }
    }

    /** True when Envoy calls the services over mutual TLS. */
    public boolean enabled() {
      return !isBlank(cert);
    }
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }

  /**
   * Statistics from the access-log stream ({@code TOLLGATE_STATS_*}).
   *
   * @param bucket length of an in-memory aggregation bucket
   * @param stripes independent aggregates the gRPC threads spread over (fewer lock collisions)
   * @param topKeys per stripe and bucket, how many IPs and paths the top-K sketch tracks
   * @param storedKeys per minute and dimension, how many keys are stored; the rest is "(other)"
   * @param bufferedMinutes minutes kept in memory while the database is down, then dropped
   * @param minuteRetention how long minute rows are kept
   * @param hourRetention how long hourly rollups are kept
   * @param blockedCalls size of the ring of recent blocked calls
   */
  public record Stats(
      @DefaultValue("10s") Duration bucket,
      @DefaultValue("4") @Positive int stripes,
      @DefaultValue("1000") @Positive int topKeys,
      @DefaultValue("100") @Positive int storedKeys,
      @DefaultValue("60") @Positive int bufferedMinutes,
      @DefaultValue("7d") Duration minuteRetention,
      @DefaultValue("400d") Duration hourRetention,
      @DefaultValue("10000") @Positive int blockedCalls) {

    public Stats {
      if (bucket.toMillis() <= 0 || 60_000 % bucket.toMillis() != 0) {
        throw new IllegalArgumentException("tollgate.stats.bucket must divide a minute: " + bucket);
      }
    }
  }

  /**
   * The approximate tier ({@code TOLLGATE_APPROXIMATE_*}): Envoy's {@code rate_limit_quota}
   * buckets, assigned by the rate-limit services over RLQS.
   *
   * @param noAssignment what a new bucket does before its first assignment: {@code allow} (fail
   *     open, as the exact tier does when the service is down) or {@code deny} ({@code
   *     TOLLGATE_APPROXIMATE_NO_ASSIGNMENT})
   * @param reuseLastAssignment how long a bucket keeps enforcing its last assignment once that has
   *     expired and the service sends no new one (unreachable); then the bucket is abandoned and
   *     falls back to {@code noAssignment}. Whole seconds (Envoy ignores fractions); 0: fall back
   *     at once ({@code TOLLGATE_APPROXIMATE_REUSE_LAST_ASSIGNMENT})
   * @param reportingInterval how often each Envoy reports a bucket's usage ({@code
   *     TOLLGATE_APPROXIMATE_REPORTING_INTERVAL}); more than 100 ms (Envoy's minimum)
   */
  public record Approximate(
      @DefaultValue("allow") String noAssignment,
      @DefaultValue("60s") Duration reuseLastAssignment,
      @DefaultValue("1s") Duration reportingInterval) {

    public Approximate {
      if (!List.of("allow", "deny").contains(noAssignment)) {
        throw new IllegalArgumentException(
            "TOLLGATE_APPROXIMATE_NO_ASSIGNMENT: one of allow, deny: " + noAssignment);
      }
      if (reuseLastAssignment.isNegative() || reuseLastAssignment.toNanos() % 1_000_000_000L != 0) {
        throw new IllegalArgumentException(
            "TOLLGATE_APPROXIMATE_REUSE_LAST_ASSIGNMENT: whole seconds, 0 or more: "
                + reuseLastAssignment);
      }
    }
  }

  /**
   * @param enabled Envoy's gRPC access log to the control plane ({@code
   *     TOLLGATE_ACCESSLOG_ENABLED}); off, the statistics and the blocked-call ring stay empty and
   *     Envoy saves the logger's cost per request
   * @param sampleOneIn Envoy logs one answer in this many of those under 400 and every answer of
   *     400 or more ({@code TOLLGATE_ACCESSLOG_SAMPLE_ONE_IN}); the statistics count each sampled
   *     entry this many times. 1, the default, logs every answer: exact counts
   */
  public record AccessLog(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("1") @Min(1) @Max(AccessLog.MAX_SAMPLE_ONE_IN) int sampleOneIn) {

    /** One in a thousand: beyond it a minute of a quiet key is mostly noise. */
    public static final int MAX_SAMPLE_ONE_IN = 1000;
  }

  /**
   * @param publishInterval rule writes are loaded and pushed at most once per interval, so a burst
   *     costs one snapshot build per interval ({@code TOLLGATE_LIMITS_PUBLISH_INTERVAL})
   */
  public record Limits(@DefaultValue("200ms") Duration publishInterval) {

    public Limits {
      if (publishInterval.isNegative() || publishInterval.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException(
            "TOLLGATE_LIMITS_PUBLISH_INTERVAL must be between 0 and 1s (changes reach Envoy"
                + " within 2 s): "
                + publishInterval);
      }
    }
  }
}
