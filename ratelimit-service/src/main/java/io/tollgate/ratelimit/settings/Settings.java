package io.tollgate.ratelimit.settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every setting of the service, read from the reference's environment variables wherever they mean
 * the same thing; {@code ratelimit-service/README.md} lists each one with its default and whether
 * it is supported. Tollgate's own settings (store deadline, failure mode, bounds, extra response
 * fields) use names the reference does not have.
 *
 * @param warnings reference settings that are set but not supported, to be logged at start-up
 */
public record Settings(
    Listen listen,
    ConfigSource config,
    Xds xds,
    Limits limits,
    Responses responses,
    Store store,
    Redis redis,
    Json json,
    Quota quota,
    String logLevel,
    List<String> warnings) {

  public Settings {
    warnings = List.copyOf(warnings);
  }

  /** Where the service listens. */
  public record Listen(
      String httpHost,
      int httpPort,
      String grpcHost,
      int grpcPort,
      Duration grpcMaxConnectionAge,
      Duration grpcMaxConnectionAgeGrace,
      boolean grpcTls,
      String grpcTlsCert,
      String grpcTlsKey,
      String grpcClientCaCert) {}

  /**
   * The HTTP port's {@code /json}, which decides a request as Envoy's calls are decided.
   *
   * @param allowRemote {@code JSON_ALLOW_REMOTE}: answer peers beyond loopback too (the reference's
   *     behaviour); by default they get 403, since a call spends real quota
   * @param readOnly {@code JSON_READ_ONLY}: answer what the decision would be without counting
   */
  public record Json(boolean allowRemote, boolean readOnly) {}

  /**
   * The Rate Limit Quota Service (RLQS) that Envoy's {@code rate_limit_quota} filter streams usage
   * reports to, and which answers each with quota assignments.
   *
   * @param reportingInterval {@code RLQS_REPORTING_INTERVAL}: how often each Envoy reports (Envoy
   *     1.40 reports every 5 s whatever the filter says); an assignment is sized for one interval
   * @param assignmentTtlMax {@code RLQS_ASSIGNMENT_TTL_MAX}: longest life of any assignment, so an
   *     Envoy that stops hearing from the service falls back to its configured behaviour in time
   * @param maxBucketsPerStream {@code RLQS_MAX_BUCKETS_PER_STREAM}: buckets one stream may report;
   *     a report beyond it ends the stream with RESOURCE_EXHAUSTED
   * @param shareSmoothing {@code RLQS_SHARE_SMOOTHING}: weight of the newest demand sample in a
   *     stream's smoothed share of a bucket's demand (1 = no smoothing)
   * @param bucketIdleTimeout {@code RLQS_BUCKET_IDLE_TIMEOUT}: a bucket reported without a request
   *     this long is abandoned (the Envoy drops it and stops reporting it)
   * @param storeFailure {@code RLQS_STORE_FAILURE_ASSIGNMENT}: what a report is answered with when
   *     the store fails or misses {@code STORE_DEADLINE}
   */
  public record Quota(
      Duration reportingInterval,
      Duration assignmentTtlMax,
      int maxBucketsPerStream,
      double shareSmoothing,
      Duration bucketIdleTimeout,
      QuotaStoreFailure storeFailure) {}

  /** {@code RLQS_STORE_FAILURE_ASSIGNMENT}. */
  public enum QuotaStoreFailure {
    /** A token bucket of the stream's last share of the limit's steady rate (limit / window). */
    SHARE,
    /** ALLOW_ALL (fail open). */
    ALLOW,
    /** DENY_ALL (fail closed). */
    DENY
  }

  /** Where the rate-limit configuration comes from. */
  public record ConfigSource(
      ConfigType type,
      Path directory,
      boolean ignoreDotFiles,
      Duration pollInterval,
      boolean forceStartWithoutConfig,
      boolean mergeDomains,
      boolean healthyOnlyWithConfig) {}

  /** {@code CONFIG_TYPE}. */
  public enum ConfigType {
    FILE,
    GRPC_XDS_SOTW
  }

  /** The xDS client for {@code CONFIG_TYPE=GRPC_XDS_SOTW}. */
  public record Xds(
      String serverUrl,
      String nodeId,
      Map<String, String> nodeMetadata,
      Map<String, String> headers,
      Duration backoffInitial,
      Duration backoffMax,
      double backoffRandomFactor,
      boolean backoffJitter,
      int maxMessageBytes,
      boolean tls,
      String clientCert,
      String clientKey,
      String serverCaCert,
      String serverSan) {}

  /** How decisions are made. */
  public record Limits(
      double nearLimitRatio,
      String cacheKeyPrefix,
      long expirationJitterMaxSeconds,
      long localCacheSizeBytes,
      boolean globalShadowMode,
      boolean globalQuotaMode,
      int statsMaxKeys) {}

  /** What responses carry besides the decision. */
  public record Responses(
      boolean limitHeaders,
      String limitHeader,
      String remainingHeader,
      String resetHeader,
      boolean referenceDynamicMetadata,
      boolean retryAfter,
      boolean overLimitMetadata,
      boolean ietfHeaders) {}

  /** The counter store and what happens when it fails. */
  public record Store(
      Backend backend,
      Duration deadline,
      FailureMode failureMode,
      Duration errorLogInterval,
      int maxInFlight,
      int memoryMaxKeys) {}

  /** {@code BACKEND_TYPE}. */
  public enum Backend {
    MEMORY,
    REDIS
  }

  /** {@code STORE_FAILURE_MODE}: the answer when the store fails or misses its deadline. */
  public enum FailureMode {
    /** The reference's: the call fails with a gRPC error, so Envoy's failure_mode_deny decides. */
    ERROR,
    /** Every limited descriptor is answered OK (fail open). */
    ALLOW,
    /** Every limited descriptor is answered OVER_LIMIT (fail closed). */
    DENY
  }

  /** The Redis store. */
  public record Redis(
      RedisType type,
      String url,
      String auth,
      String sentinelAuth,
      boolean tls,
      boolean tlsSkipHostnameVerification,
      String tlsCaCert,
      Duration timeout,
      boolean healthCheckActiveConnection) {}

  /** {@code REDIS_TYPE}. */
  public enum RedisType {
    SINGLE,
    SENTINEL,
    CLUSTER
  }

  /** Reference variables accepted but not supported; setting one logs a warning. */
  static final List<String> UNSUPPORTED =
      List.of(
          "DEBUG_HOST",
          "DEBUG_PORT",
          "GRPC_UDS",
          "GRPC_CLIENT_TLS_SAN",
          "CONFIG_GRPC_XDS_SERVER_CONNECT_RETRY_INTERVAL",
          "LOG_FORMAT",
          "USE_STATSD",
          "STATSD_HOST",
          "STATSD_PORT",
          "USE_DOG_STATSD",
          "USE_DOG_STATSD_MOGRIFIERS",
          "EXTRA_TAGS",
          "STATS_FLUSH_INTERVAL",
          "DISABLE_STATS",
          "USE_PROMETHEUS",
          "PROMETHEUS_ADDR",
          "PROMETHEUS_PATH",
          "PROMETHEUS_MAPPER_YAML",
          "RUNTIME_WATCH_ROOT",
          "STOP_CACHE_KEY_INCREMENT_WHEN_OVERLIMIT",
          "REDIS_POOL_SIZE",
          "REDIS_PIPELINE_WINDOW",
          "REDIS_PIPELINE_LIMIT",
          "REDIS_USE_EXPLICIT_PIPELINE",
          "REDIS_POOL_ON_EMPTY_BEHAVIOR",
          "REDIS_TLS_CLIENT_CERT",
          "REDIS_TLS_CLIENT_KEY",
          "REDIS_PERSECOND",
          "REDIS_PERSECOND_URL",
          "REDIS_PERSECOND_TYPE",
          "REDIS_PERSECOND_SOCKET_TYPE",
          "REDIS_PERSECOND_AUTH",
          "REDIS_PERSECOND_TLS",
          "REDIS_PERSECOND_POOL_SIZE",
          "REDIS_PERSECOND_SENTINEL_AUTH",
          "MEMCACHE_HOST_PORT",
          "MEMCACHE_SRV",
          "TRACING_ENABLED",
          "LIMIT_REQUEST_HEADERS_ENABLED",
          "USE_CALENDAR_MONTH_RATE_LIMIT");

  /** Reads every setting; throws with all problems at once if any value is invalid. */
  public static Settings fromEnv(Map<String, String> environment) {
    Env env = new Env(environment);
    List<String> warnings = new ArrayList<>();
    for (String name : UNSUPPORTED) {
      if (env.isSet(name) && !isHarmlessDefault(name, environment.get(name))) {
        warnings.add(name + " is set but not supported by this service; it is ignored");
      }
    }

    Listen listen =
        new Listen(
            env.string("HOST", "0.0.0.0"),
            env.integer("PORT", 8091, 0, 65_535),
            env.string("GRPC_HOST", "0.0.0.0"),
            env.integer("GRPC_PORT", 8090, 0, 65_535),
            env.duration("GRPC_MAX_CONNECTION_AGE", Duration.ofHours(24)),
            env.duration("GRPC_MAX_CONNECTION_AGE_GRACE", Duration.ofHours(1)),
            env.bool("GRPC_SERVER_USE_TLS", false),
            env.string("GRPC_SERVER_TLS_CERT", ""),
            env.string("GRPC_SERVER_TLS_KEY", ""),
            env.string("GRPC_CLIENT_TLS_CACERT", ""));

    Path directory =
        Path.of(
            env.string("RUNTIME_ROOT", "/srv/runtime_data/current"),
            env.string("RUNTIME_SUBDIRECTORY", ""),
            env.string("RUNTIME_APPDIRECTORY", "config"));
    ConfigSource config =
        new ConfigSource(
            env.choice("CONFIG_TYPE", ConfigType.FILE, ConfigType.class),
            directory,
            env.bool("RUNTIME_IGNOREDOTFILES", false),
            env.duration("CONFIG_POLL_INTERVAL", Duration.ofSeconds(1)),
            env.bool("FORCE_START_WITHOUT_INITIAL_CONFIG", false),
            env.bool("MERGE_DOMAIN_CONFIG", false),
            env.bool("HEALTHY_WITH_AT_LEAST_ONE_CONFIG_LOADED", false));

    Xds xds =
        new Xds(
            env.string("CONFIG_GRPC_XDS_SERVER_URL", "localhost:18000"),
            env.string("CONFIG_GRPC_XDS_NODE_ID", "default"),
            env.map("CONFIG_GRPC_XDS_NODE_METADATA", '='),
            env.map("CONFIG_GRPC_XDS_CLIENT_ADDITIONAL_HEADERS", ':'),
            // Not the reference's 10 s / 60 s: Tollgate promises a restarted control plane's rules
            // within 2 s; at most 500 ms (750 ms with jitter) passes between two attempts.
            env.duration("XDS_CLIENT_BACKOFF_INITIAL_INTERVAL", Duration.ofMillis(100)),
            env.duration("XDS_CLIENT_BACKOFF_MAX_INTERVAL", Duration.ofMillis(500)),
            env.decimal("XDS_CLIENT_BACKOFF_RANDOM_FACTOR", 0.5, 0, 1),
            env.bool("XDS_CLIENT_BACKOFF_JITTER", true),
            env.integer("XDS_CLIENT_MAX_MSG_SIZE_IN_BYTES", 4 * 1024 * 1024, 1, Integer.MAX_VALUE),
            env.bool("CONFIG_GRPC_XDS_SERVER_USE_TLS", false),
            env.string("CONFIG_GRPC_XDS_CLIENT_TLS_CERT", ""),
            env.string("CONFIG_GRPC_XDS_CLIENT_TLS_KEY", ""),
            env.string("CONFIG_GRPC_XDS_SERVER_TLS_CACERT", ""),
            env.string("CONFIG_GRPC_XDS_SERVER_TLS_SAN", ""));

    Limits limits =
        new Limits(
            env.decimal("NEAR_LIMIT_RATIO", 0.8, 0, 1),
            env.string("CACHE_KEY_PREFIX", ""),
            env.longValue("EXPIRATION_JITTER_MAX_SECONDS", 300, 0),
            env.longValue("LOCAL_CACHE_SIZE_IN_BYTES", 0, 0),
            env.bool("SHADOW_MODE", false),
            env.bool("QUOTA_MODE", false),
            env.integer("STATS_MAX_KEYS", 10_000, 1, Integer.MAX_VALUE));

    Responses responses =
        new Responses(
            env.bool("LIMIT_RESPONSE_HEADERS_ENABLED", false),
            env.string("LIMIT_LIMIT_HEADER", "RateLimit-Limit"),
            env.string("LIMIT_REMAINING_HEADER", "RateLimit-Remaining"),
            env.string("LIMIT_RESET_HEADER", "RateLimit-Reset"),
            env.bool("RESPONSE_DYNAMIC_METADATA", false),
            env.bool("RETRY_AFTER_HEADER_ENABLED", true),
            env.bool("OVER_LIMIT_METADATA_ENABLED", true),
            env.bool("IETF_RATELIMIT_HEADERS_ENABLED", false));

    Store store =
        new Store(
            env.choice("BACKEND_TYPE", Backend.MEMORY, Backend.class),
            env.duration("STORE_DEADLINE", Duration.ofMillis(75)),
            env.choice("STORE_FAILURE_MODE", FailureMode.ERROR, FailureMode.class),
            env.duration("STORE_ERROR_LOG_INTERVAL", Duration.ofSeconds(10)),
            env.integer("STORE_MAX_IN_FLIGHT", 1_000, 1, Integer.MAX_VALUE),
            env.integer("MEMORY_MAX_KEYS", 500_000, 1, Integer.MAX_VALUE));

    String redisUrl = env.string("REDIS_URL", "/var/run/nutcracker/ratelimit.sock");
    String socketType = env.string("REDIS_SOCKET_TYPE", redisUrl.startsWith("/") ? "unix" : "tcp");
    if (store.backend() == Backend.REDIS && !"tcp".equalsIgnoreCase(socketType)) {
      environmentError(
          env,
          "REDIS_SOCKET_TYPE="
              + socketType
              + " (REDIS_URL="
              + redisUrl
              + "): only tcp is supported; set REDIS_SOCKET_TYPE=tcp and REDIS_URL=host:port");
    }
    Redis redis =
        new Redis(
            env.choice("REDIS_TYPE", RedisType.SINGLE, RedisType.class),
            redisUrl,
            env.string("REDIS_AUTH", ""),
            env.string("REDIS_SENTINEL_AUTH", ""),
            env.bool("REDIS_TLS", false),
            env.bool("REDIS_TLS_SKIP_HOSTNAME_VERIFICATION", false),
            env.string("REDIS_TLS_CACERT", ""),
            env.duration("REDIS_TIMEOUT", Duration.ofSeconds(10)),
            env.bool("REDIS_HEALTH_CHECK_ACTIVE_CONNECTION", false));

    Json json = new Json(env.bool("JSON_ALLOW_REMOTE", false), env.bool("JSON_READ_ONLY", false));

    Quota quota =
        new Quota(
            env.duration("RLQS_REPORTING_INTERVAL", Duration.ofSeconds(5)),
            env.duration("RLQS_ASSIGNMENT_TTL_MAX", Duration.ofMinutes(1)),
            env.integer("RLQS_MAX_BUCKETS_PER_STREAM", 10_000, 1, Integer.MAX_VALUE),
            env.decimal("RLQS_SHARE_SMOOTHING", 0.5, 0.01, 1),
            env.duration("RLQS_BUCKET_IDLE_TIMEOUT", Duration.ofMinutes(5)),
            env.choice(
                "RLQS_STORE_FAILURE_ASSIGNMENT", QuotaStoreFailure.SHARE, QuotaStoreFailure.class));
    if (quota.reportingInterval().toMillis() < 100) {
      environmentError(env, "RLQS_REPORTING_INTERVAL must be at least 100ms");
    }
    if (quota.assignmentTtlMax().getSeconds() < 1
        || quota.assignmentTtlMax().compareTo(quota.reportingInterval()) <= 0) {
      environmentError(
          env,
          "RLQS_ASSIGNMENT_TTL_MAX must be at least 1s (Envoy reads whole seconds) and longer than"
              + " RLQS_REPORTING_INTERVAL");
    }

    if ("memcache".equalsIgnoreCase(env.string("BACKEND_TYPE", ""))) {
      environmentError(env, "BACKEND_TYPE=memcache: not supported; use memory or redis");
    }
    if (store.deadline().isZero() || store.deadline().isNegative()) {
      environmentError(env, "STORE_DEADLINE must be positive");
    }
    if (listen.grpcTls() && (listen.grpcTlsCert().isEmpty() || listen.grpcTlsKey().isEmpty())) {
      environmentError(
          env, "GRPC_SERVER_USE_TLS=true needs GRPC_SERVER_TLS_CERT and GRPC_SERVER_TLS_KEY");
    }
    if (xds.tls() && xds.clientCert().isEmpty() != xds.clientKey().isEmpty()) {
      environmentError(
          env,
          "CONFIG_GRPC_XDS_CLIENT_TLS_CERT and CONFIG_GRPC_XDS_CLIENT_TLS_KEY go together: set"
              + " both for a client certificate (mutual TLS), or neither");
    }
    if (!xds.tls()
        && (!xds.clientCert().isEmpty()
            || !xds.serverCaCert().isEmpty()
            || !xds.serverSan().isEmpty())) {
      warnings.add(
          "CONFIG_GRPC_XDS_CLIENT_TLS_* / CONFIG_GRPC_XDS_SERVER_TLS_* are set but"
              + " CONFIG_GRPC_XDS_SERVER_USE_TLS is not true: the xDS client uses plaintext");
    }
    if (!env.errors().isEmpty()) {
      throw new IllegalArgumentException(
          "invalid settings:\n  " + String.join("\n  ", env.errors()));
    }
    return new Settings(
        listen,
        config,
        xds,
        limits,
        responses,
        store,
        redis,
        json,
        quota,
        env.string("LOG_LEVEL", "WARN"),
        warnings);
  }

  private static void environmentError(Env env, String message) {
    env.errors().add(message);
  }

  /** A reference default that changes nothing here, so setting it explicitly is no news. */
  private static boolean isHarmlessDefault(String name, String value) {
    return switch (name) {
      case "USE_STATSD",
          "DISABLE_STATS",
          "STOP_CACHE_KEY_INCREMENT_WHEN_OVERLIMIT",
          "REDIS_PERSECOND",
          "TRACING_ENABLED",
          "LIMIT_REQUEST_HEADERS_ENABLED",
          "USE_CALENDAR_MONTH_RATE_LIMIT" ->
          "false".equalsIgnoreCase(value);
      case "USE_PROMETHEUS", "RUNTIME_WATCH_ROOT" -> true;
      case "REDIS_POOL_SIZE", "REDIS_PIPELINE_WINDOW", "REDIS_PIPELINE_LIMIT" -> true;
      case "LOG_FORMAT" -> "text".equalsIgnoreCase(value);
      default -> false;
    };
  }
}
