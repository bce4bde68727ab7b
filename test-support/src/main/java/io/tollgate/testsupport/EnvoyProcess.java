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
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The real Envoy binary with Tollgate's bootstrap ({@code envoy/bootstrap.yaml}, the template
 * {@code envoy/run-envoy.sh} renders), pointed at a control plane's gRPC port, admin on a free
 * loopback port. Its listeners, routes and clusters all come over ADS.
 */
public final class EnvoyProcess implements AutoCloseable {

  private final Path dir;
  private final int adminPort;
  private final String nodeId;
  private final ManagedProcess process;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private EnvoyProcess(Path dir, int adminPort, String nodeId, ManagedProcess process) {
    this.dir = dir;
    this.adminPort = adminPort;
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
   * Waits until Envoy has at least one active listener: its first config from the control plane.
   */
  public EnvoyProcess awaitListener(Duration timeout) {
    process.await(
        "an active listener",
        timeout,
        () -> safeStat("listener_manager.total_listeners_active") > 0);
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

    /** The bootstrap's endpoint list, rendered by the script {@code run-envoy.sh} uses. */
    private String xdsLocalities() {
      StringBuilder endpoints = new StringBuilder("127.0.0.1:" + xdsPort);
      fallbackXdsPorts.forEach(p -> endpoints.append(",127.0.0.1:").append(p));
      return RedisCluster.run(
              List.of(
                  Binaries.repoRoot().resolve("envoy/xds-localities.sh").toString(),
                  endpoints.toString(),
                  Integer.toString(xdsPort)),
              Duration.ofSeconds(10))
          .strip();
    }

    /** Starts Envoy and waits until its admin interface answers (not for any xDS config). */
    public EnvoyProcess start() {
      Path dir = Scratch.create("envoy");
      int adminPort = FreePorts.next();
      Path bootstrap =
          Templates.renderTo(
              Binaries.repoRoot().resolve("envoy/bootstrap.yaml"),
              Map.of(
                  "ENVOY_NODE_ID",
                  nodeId,
                  "ENVOY_CLUSTER",
                  cluster,
                  "ENVOY_ADMIN_ADDRESS",
                  "127.0.0.1",
                  "ENVOY_ADMIN_PORT",
                  Integer.toString(adminPort),
                  "TOLLGATE_XDS_HOST",
                  "127.0.0.1",
                  "TOLLGATE_XDS_PORT",
                  Integer.toString(xdsPort),
                  "TOLLGATE_XDS_LOCALITIES",
                  xdsLocalities(),
                  "ENVOY_MAX_HEAP_BYTES",
                  Long.toString(512L << 20),
                  "ENVOY_MAX_CONNECTIONS",
                  "10000"),
              dir.resolve("bootstrap.yaml"));
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
      EnvoyProcess envoy = new EnvoyProcess(dir, adminPort, nodeId, process);
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
