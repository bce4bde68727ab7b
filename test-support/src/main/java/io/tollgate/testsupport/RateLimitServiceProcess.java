package io.tollgate.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The packaged rate-limit service ({@code ratelimit-service/target/ratelimit-service.jar}) as a
 * real JVM on free loopback ports, configured only through the reference's environment variables:
 * from a directory ({@link #withConfigDir}), over xDS from a control plane ({@link #builder}), or
 * by an environment of the caller's ({@link #withEnv}). {@link #start()} returns once {@code
 * /healthcheck} answers 200; after {@link #stop()} it starts again on the same ports, as a
 * restarted replica would.
 */
public final class RateLimitServiceProcess extends JvmProcess {

  /** Generous, as the control plane's: a loaded 2-core machine starts JVMs slowly. */
  private static final Duration STARTUP = Duration.ofMinutes(2);

  private static final List<String> JVM_ARGS =
      List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m");

  private final int grpcPort;
  private final int httpPort;
  private final HttpClient http = HttpClient.newHttpClient();

  private RateLimitServiceProcess(String name, int grpcPort, Map<String, String> env) {
    this(name, grpcPort, FreePorts.next(), env);
  }

  private RateLimitServiceProcess(
      String name, int grpcPort, int httpPort, Map<String, String> env) {
    super(
        name,
        Scratch.create(name),
        "ratelimit-service",
        JVM_ARGS,
        withPorts(env, grpcPort, httpPort),
        URI.create("http://127.0.0.1:" + httpPort + "/healthcheck"),
        grpcPort,
        STARTUP);
    this.grpcPort = grpcPort;
    this.httpPort = httpPort;
  }

  private static Map<String, String> withPorts(Map<String, String> env, int grpc, int httpPort) {
    Map<String, String> all = new LinkedHashMap<>(env);
    all.put("GRPC_HOST", "127.0.0.1");
    all.put("GRPC_PORT", Integer.toString(grpc));
    all.put("HOST", "127.0.0.1");
    all.put("PORT", Integer.toString(httpPort));
    all.putIfAbsent("LOG_LEVEL", "info");
    return all;
  }

  /** The jar the build packages; fails with the command that makes it when it is missing. */
  public static Path jar() {
    return packagedJar("ratelimit-service");
  }

  /**
   * A service, not yet started, reading its configuration from {@code configDir} ({@code
   * RUNTIME_ROOT}, with {@code RUNTIME_SUBDIRECTORY} empty and {@code RUNTIME_APPDIRECTORY=.});
   * {@code env} adds or overrides settings (store, Redis, failure mode...).
   */
  public static RateLimitServiceProcess withConfigDir(
      String name, Path configDir, Map<String, String> env) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("RUNTIME_ROOT", configDir.toString());
    all.put("RUNTIME_APPDIRECTORY", ".");
    all.put("CONFIG_POLL_INTERVAL", "200ms");
    all.putAll(env);
    return new RateLimitServiceProcess(name, FreePorts.next(), all);
  }

  /** A service, not yet started, configured by {@code env} alone. */
  public static RateLimitServiceProcess withEnv(String name, Map<String, String> env) {
    return new RateLimitServiceProcess(name, FreePorts.next(), env);
  }

  /** A service taking its configuration from the control plane's gRPC port {@code xdsPort}. */
  public static Builder builder(int xdsPort) {
    return new Builder(xdsPort);
  }

  public int grpcPort() {
    return grpcPort;
  }

  public int httpPort() {
    return httpPort;
  }

  /** {@code http://127.0.0.1:<http port>}, no trailing slash. */
  public String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  /** The xDS node id it announces, or null when it reads its configuration from files. */
  public String nodeId() {
    return env().get("CONFIG_GRPC_XDS_NODE_ID");
  }

  /** Starts the JVM (again, after {@link #stop()}) and waits until its health check answers. */
  public RateLimitServiceProcess start() {
    startJvm();
    return this;
  }

  /** The body of {@code GET /metrics} (Prometheus text). */
  public String metrics() {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl() + "/metrics"))
            .timeout(Duration.ofSeconds(5))
            .build();
    return HttpCalls.send(http, request).body();
  }

  /** Options of a service configured over xDS. */
  public static final class Builder {
    private final int xdsPort;
    private final Map<String, String> env = new LinkedHashMap<>();
    private int grpcPort;

    private Builder(int xdsPort) {
      this.xdsPort = xdsPort;
    }

    /** Its gRPC port, when it must be known before it starts (Envoy's cluster points at it). */
    public Builder grpcPort(int value) {
      this.grpcPort = value;
      return this;
    }

    /** Counts in Redis at {@code address} ({@code host:port}) instead of memory. */
    public Builder redis(String address) {
      env.put("BACKEND_TYPE", "redis");
      env.put("REDIS_SOCKET_TYPE", "tcp");
      env.put("REDIS_URL", address);
      return this;
    }

    /**
     * The xDS client over mutual TLS, with the reference's variables ({@code
     * CONFIG_GRPC_XDS_SERVER_USE_TLS} and the rest): its client certificate, the CA the control
     * plane's certificate must chain to, and the name that certificate must carry.
     */
    public Builder xdsTls(TestCa.ClientCertificate certificate, Path caFile, String serverSan) {
      env.put("CONFIG_GRPC_XDS_SERVER_USE_TLS", "true");
      env.put("CONFIG_GRPC_XDS_CLIENT_TLS_CERT", certificate.certFile().toString());
      env.put("CONFIG_GRPC_XDS_CLIENT_TLS_KEY", certificate.keyFile().toString());
      env.put("CONFIG_GRPC_XDS_SERVER_TLS_CACERT", caFile.toString());
      env.put("CONFIG_GRPC_XDS_SERVER_TLS_SAN", serverSan);
      return this;
    }

    /** An extra environment variable. */
    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    /** Starts the service and waits until it is healthy. */
    public RateLimitServiceProcess start() {
      Map<String, String> all = new LinkedHashMap<>();
      all.put("BACKEND_TYPE", "memory");
      all.put("CONFIG_TYPE", "GRPC_XDS_SOTW");
      all.put("CONFIG_GRPC_XDS_SERVER_URL", "127.0.0.1:" + xdsPort);
      all.put("CONFIG_GRPC_XDS_NODE_ID", "ratelimit-" + Long.toHexString(System.nanoTime()));
      all.putAll(env);
      RateLimitServiceProcess service =
          new RateLimitServiceProcess(
              "ratelimit", grpcPort == 0 ? FreePorts.next() : grpcPort, all);
      try {
        return service.start();
      } catch (RuntimeException e) {
        service.close();
        throw e;
      }
    }
  }
}
