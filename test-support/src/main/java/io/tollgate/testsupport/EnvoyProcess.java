package io.tollgate.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The real Envoy binary with Tollgate's bootstrap ({@code envoy/bootstrap.yaml}, the template
 * {@code envoy/run-envoy.sh} renders), pointed at a control plane's gRPC port, in plaintext or
 * mutual TLS ({@link Builder#xdsTls}), admin on a free loopback port. Its listeners, routes and
 * clusters all come over ADS.
 */
public final class EnvoyProcess implements AutoCloseable {

  /** Listeners the bootstrap itself declares: the stats/readiness listener. */
  private static final int STATIC_LISTENERS = 1;

  private final Path dir;
  private final int adminPort;
  private final int statsPort;
  private final String nodeId;
  private final ManagedProcess process;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private EnvoyProcess(
      Path dir, int adminPort, int statsPort, String nodeId, ManagedProcess process) {
    this.dir = dir;
    this.adminPort = adminPort;
    this.statsPort = statsPort;
    this.nodeId = nodeId;
    this.process = process;
  }

  public static Builder builder(int xdsPort) {
    return new Builder(xdsPort);
  }

  public String nodeId() {
    return nodeId;
  }

  public int adminPort() {
    return adminPort;
  }

  /**
   * The loopback port of the listener serving only {@code GET /stats/prometheus} and {@code GET
   * /ready} from the admin (what scrapers and probes use in compose and Kubernetes).
   */
  public int statsPort() {
    return statsPort;
  }

  /** {@code http://127.0.0.1:<admin port>}, no trailing slash. */
  public String adminUrl() {
    return "http://127.0.0.1:" + adminPort;
  }

  public long pid() {
    return process.pid();
  }

  public ManagedProcess process() {
    return process;
  }

  /** GET on the admin interface; the body, or an exception naming the status. */
  public String admin(String pathAndQuery) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(adminUrl() + pathAndQuery))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "envoy admin " + pathAndQuery + " answered " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      throw new IllegalStateException("envoy admin " + pathAndQuery + " unreachable", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** A counter or gauge by its exact name, empty when Envoy has no such stat (yet). */
  public OptionalLong stat(String name) {
    String filter = "^" + Pattern.quote(name) + "$";
    String body = admin("/stats?filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8));
    String prefix = name + ": ";
    for (String line : body.split("\n")) {
      if (line.startsWith(prefix)) {
        try {
          return OptionalLong.of(Long.parseLong(line.substring(prefix.length()).trim()));
        } catch (NumberFormatException e) {
          throw new IllegalStateException("stat " + name + " is not a number: " + line, e);
        }
      }
    }
    return OptionalLong.empty();
  }

  /** The stat's value, 0 when it does not exist (Envoy creates most counters lazily). */
  public long statOrZero(String name) {
    return stat(name).orElse(0);
  }

  /** {@code server.uptime}: seconds since this Envoy process started. */
  public long uptimeSeconds() {
    return stat("server.uptime")
        .orElseThrow(() -> new IllegalStateException("envoy has no server.uptime stat"));
  }

  /**
   * Waits until Envoy has an active listener besides the bootstrap's own: its first config from the
   * control plane.
   */
  public EnvoyProcess awaitListener(Duration timeout) {
    process.await(
        "an active listener from the control plane",
        timeout,
        () -> safeStat("listener_manager.total_listeners_active") > STATIC_LISTENERS);
    return this;
  }

  /** Waits until the listener named {@code name} shows in {@code /listeners}. */
  public EnvoyProcess awaitListener(String name, Duration timeout) {
    process.await(
        "listener " + name,
        timeout,
        () -> {
          try {
            return admin("/listeners").lines().anyMatch(l -> l.startsWith(name + "::"));
          } catch (IllegalStateException e) {
            return false;
          }
        });
    return this;
  }

  private long safeStat(String name) {
    try {
      return statOrZero(name);
    } catch (IllegalStateException e) {
      return 0;
    }
  }

  /**
   * Renders {@code envoy/bootstrap.yaml} from the environment {@code run-envoy.sh} would get, as it
   * does: the xDS cluster's transport socket is {@code envoy/xds-tls.yaml} when {@code
   * ENVOY_XDS_TLS_CERT} is set, {@code envoy/xds-plaintext.yaml} otherwise.
   */
  static Path renderBootstrap(Map<String, String> environment, Path target) {
    Path envoyDir = Binaries.repoRoot().resolve("envoy");
    Map<String, String> values = new LinkedHashMap<>(environment);
    // As run-envoy.sh: the endpoint list through the same script.
    values.put(
        "TOLLGATE_XDS_LOCALITIES",
        RedisCluster.run(
                List.of(
                    envoyDir.resolve("xds-localities.sh").toString(),
                    values.getOrDefault(
                        "TOLLGATE_XDS_ENDPOINTS",
                        values.get("TOLLGATE_XDS_HOST") + ":" + values.get("TOLLGATE_XDS_PORT")),
                    values.get("TOLLGATE_XDS_PORT")),
                Duration.ofSeconds(10))
            .strip());
    String fragment =
        values.containsKey("ENVOY_XDS_TLS_CERT") ? "xds-tls.yaml" : "xds-plaintext.yaml";
    // As the shell's "$(render.sh ...)": without the trailing newline.
    values.put(
        "ENVOY_XDS_TRANSPORT_SOCKET",
        Templates.render(envoyDir.resolve(fragment), values).replaceAll("\n+$", ""));
    return Templates.renderTo(envoyDir.resolve("bootstrap.yaml"), values, target);
  }

  /** SIGTERM; Envoy exits at once (drain applies to listener updates, not to this). */
  @Override
  public void close() {
    process.stop();
    Scratch.delete(dir);
  }

  /** Options of an {@link EnvoyProcess}; each instance gets its own node id and admin port. */
  public static final class Builder {
    private final int xdsPort;
    private final List<Integer> fallbackXdsPorts = new ArrayList<>();
    private String nodeId = "envoy-" + Long.toHexString(System.nanoTime());
    private String cluster = "tollgate";
    private int concurrency = 2;
    private int drainSeconds = 1;
    private String logLevel = "info";
    private final Map<String, String> xdsTls = new LinkedHashMap<>();

    private Builder(int xdsPort) {
      this.xdsPort = xdsPort;
    }

    /**
     * More control planes on 127.0.0.1, after the first in failover order ({@code
     * TOLLGATE_XDS_ENDPOINTS}): Envoy moves its streams to the next healthy one.
     */
    public Builder fallbackXdsPorts(int... ports) {
      for (int port : ports) {
        fallbackXdsPorts.add(port);
      }
      return this;
    }

    public Builder nodeId(String value) {
      this.nodeId = value;
      return this;
    }

    public Builder cluster(String value) {
      this.cluster = value;
      return this;
    }

    /** Worker threads; 2 by default (the machine running the suite is small). */
    public Builder concurrency(int value) {
      this.concurrency = value;
      return this;
    }

    public Builder drainSeconds(int value) {
      this.drainSeconds = value;
      return this;
    }

    public Builder logLevel(String value) {
      this.logLevel = value;
      return this;
    }

    /**
     * Mutual TLS to the control plane, as {@code ENVOY_XDS_TLS_*} give it to {@code run-envoy.sh}:
     * this Envoy's client certificate, the CA the control plane's certificate must chain to, and
     * the name sent as SNI and checked among its SANs.
     */
    public Builder xdsTls(TestCa.ClientCertificate certificate, Path caFile, String serverName) {
      xdsTls.put("ENVOY_XDS_TLS_CERT", certificate.certFile().toString());
      xdsTls.put("ENVOY_XDS_TLS_KEY", certificate.keyFile().toString());
      xdsTls.put("ENVOY_XDS_TLS_CA", caFile.toString());
      xdsTls.put("ENVOY_XDS_TLS_SERVER_NAME", serverName);
      return this;
    }

    /** The environment {@code run-envoy.sh} would be given for this Envoy. */
    Map<String, String> environment(int adminPort, int statsPort) {
      Map<String, String> env = new LinkedHashMap<>();
      env.put("ENVOY_NODE_ID", nodeId);
      env.put("ENVOY_CLUSTER", cluster);
      env.put("ENVOY_ADMIN_ADDRESS", "127.0.0.1");
      env.put("ENVOY_ADMIN_PORT", Integer.toString(adminPort));
      env.put("ENVOY_STATS_ADDRESS", "127.0.0.1");
      env.put("ENVOY_STATS_PORT", Integer.toString(statsPort));
      env.put("TOLLGATE_XDS_HOST", "127.0.0.1");
      env.put("TOLLGATE_XDS_PORT", Integer.toString(xdsPort));
      StringBuilder endpoints = new StringBuilder("127.0.0.1:" + xdsPort);
      fallbackXdsPorts.forEach(p -> endpoints.append(",127.0.0.1:").append(p));
      env.put("TOLLGATE_XDS_ENDPOINTS", endpoints.toString());
      env.put("ENVOY_MAX_HEAP_BYTES", Long.toString(512L << 20));
      env.put("ENVOY_MAX_CONNECTIONS", "10000");
      env.putAll(xdsTls);
      return env;
    }

    /** Starts Envoy and waits until its admin interface answers (not for any xDS config). */
    public EnvoyProcess start() {
      Path dir = Scratch.create("envoy");
      int adminPort = FreePorts.next();
      int statsPort = FreePorts.next();
      Path bootstrap =
          renderBootstrap(environment(adminPort, statsPort), dir.resolve("bootstrap.yaml"));
      List<String> command = new ArrayList<>();
      command.add(Binaries.envoy().toString());
      command.addAll(
          List.of(
              "-c",
              bootstrap.toString(),
              "--use-dynamic-base-id",
              "--concurrency",
              Integer.toString(concurrency),
              "--drain-time-s",
              Integer.toString(drainSeconds),
              "--log-level",
              logLevel));
      ManagedProcess process = ManagedProcess.builder("envoy", command).workDir(dir).start();
      EnvoyProcess envoy = new EnvoyProcess(dir, adminPort, statsPort, nodeId, process);
      try {
        // Not /ready: until the control plane answers, Envoy is still initializing.
        process.awaitPort("127.0.0.1", adminPort, Duration.ofSeconds(20));
        return envoy;
      } catch (RuntimeException e) {
        envoy.close();
        throw e;
      }
    }
  }
}
