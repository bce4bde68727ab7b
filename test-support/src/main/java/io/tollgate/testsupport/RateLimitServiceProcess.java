package io.tollgate.testsupport;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The packaged rate-limit service ({@code ratelimit-service/target/ratelimit-service.jar}) as a
 * real JVM on free loopback ports, configured only through the reference's environment variables.
 * {@link #start()} returns once {@code /healthcheck} answers 200, i.e. once a configuration is
 * loaded.
 */
public final class RateLimitServiceProcess implements AutoCloseable {

  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final String name;
  private final int grpcPort;
  private final int httpPort;
  private final Map<String, String> env;
  private ManagedProcess process;

  private RateLimitServiceProcess(String name, Map<String, String> env) {
    this.name = name;
    this.grpcPort = FreePorts.next();
    this.httpPort = FreePorts.next();
    Map<String, String> all = new LinkedHashMap<>(env);
    all.put("GRPC_HOST", "127.0.0.1");
    all.put("GRPC_PORT", Integer.toString(grpcPort));
    all.put("HOST", "127.0.0.1");
    all.put("PORT", Integer.toString(httpPort));
    all.putIfAbsent("LOG_LEVEL", "info");
    this.env = Map.copyOf(all);
  }

  /** The jar the build packages; fails with the command that makes it when it is missing. */
  public static Path jar() {
    Path jar = Binaries.repoRoot().resolve("ratelimit-service/target/ratelimit-service.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar
              + " missing; build it with `./mvnw -B -q -pl ratelimit-service -am -DskipTests"
              + " package`");
    }
    return jar;
  }

  /**
   * A service reading its configuration from {@code configDir} ({@code RUNTIME_ROOT}, with {@code
   * RUNTIME_SUBDIRECTORY} empty and {@code RUNTIME_APPDIRECTORY=.}); {@code env} adds or overrides
   * settings (store, Redis, failure mode...).
   */
  public static RateLimitServiceProcess withConfigDir(
      String name, Path configDir, Map<String, String> env) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("RUNTIME_ROOT", configDir.toString());
    all.put("RUNTIME_APPDIRECTORY", ".");
    all.put("CONFIG_POLL_INTERVAL", "200ms");
    all.putAll(env);
    return new RateLimitServiceProcess(name, all);
  }

  /** A service configured by {@code env} alone (for example over xDS). */
  public static RateLimitServiceProcess withEnv(String name, Map<String, String> env) {
    return new RateLimitServiceProcess(name, env);
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

  public long pid() {
    return process.pid();
  }

  public ManagedProcess process() {
    return process;
  }

  /** Starts the JVM and waits until it reports healthy. */
  public synchronized RateLimitServiceProcess start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " already running, pid " + process.pid());
    }
    List<String> command =
        List.of(
            Binaries.java().toString(),
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xmx256m",
            "-jar",
            jar().toString());
    process = ManagedProcess.builder(name, command).env(env).start();
    process.awaitHttp(URI.create(baseUrl() + "/healthcheck"), STARTUP);
    return this;
  }

  /** SIGTERM: a graceful shutdown. */
  public synchronized void stop() {
    if (process != null) {
      process.stop();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
