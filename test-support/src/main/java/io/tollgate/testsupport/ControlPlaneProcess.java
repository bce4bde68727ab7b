package io.tollgate.testsupport;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The packaged control plane ({@code control-plane/target/control-plane.jar}) as a real JVM, on
 * free loopback ports, with its own H2 database file. {@link #restart()} and {@link #start()} after
 * {@link #kill()} keep the ports and data, as a restarted server would.
 */
public final class ControlPlaneProcess implements AutoCloseable {

  private static final Duration STARTUP = Duration.ofSeconds(120);

  private final Path dir;
  private final int restPort;
  private final int xdsPort;
  private final Map<String, String> env;
  private final List<String> command;
  private ManagedProcess process;

  private ControlPlaneProcess(
      Path dir, int restPort, int xdsPort, Map<String, String> env, List<String> command) {
    this.dir = dir;
    this.restPort = restPort;
    this.xdsPort = xdsPort;
    this.env = Map.copyOf(env);
    this.command = List.copyOf(command);
  }

  /** The jar the build packages; fails with the command that makes it when it is missing. */
  public static Path jar() {
    Path jar = Binaries.repoRoot().resolve("control-plane/target/control-plane.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " missing; build it with `./mvnw -B -q -pl control-plane -am -DskipTests package`");
    }
    return jar;
  }

  /** A control plane serving {@code config} (a tollgate.yaml the test owns and may edit). */
  public static Builder builder(Path config) {
    return new Builder(config);
  }

  public int restPort() {
    return restPort;
  }

  public int xdsPort() {
    return xdsPort;
  }

  /** {@code http://127.0.0.1:<rest port>}, no trailing slash. */
  public String baseUrl() {
    return "http://127.0.0.1:" + restPort;
  }

  public long pid() {
    return process.pid();
  }

  public ManagedProcess process() {
    return process;
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Starts the JVM (again, after {@link #kill()} or {@link #stop()}) and waits until healthy. */
  public synchronized ControlPlaneProcess start() {
    if (isRunning()) {
      throw new IllegalStateException("control plane already running, pid " + process.pid());
    }
    process = ManagedProcess.builder("control-plane", command).env(env).workDir(dir).start();
    process.awaitHttp(URI.create(baseUrl() + "/actuator/health"), STARTUP);
    process.awaitPort("127.0.0.1", xdsPort, Duration.ofSeconds(10));
    return this;
  }

  /** SIGTERM: a graceful shutdown. */
  public synchronized void stop() {
    if (process != null) {
      process.stop();
    }
  }

  /** SIGKILL: a crash. */
  public synchronized void kill() {
    if (process != null) {
      process.kill();
    }
  }

  /** A graceful stop, then a start on the same ports with the same database. */
  public ControlPlaneProcess restart() {
    stop();
    return start();
  }

  @Override
  public void close() {
    stop();
    Scratch.delete(dir);
  }

  /** Options of a {@link ControlPlaneProcess}. */
  public static final class Builder {
    private final Path config;
    private final Map<String, String> env = new LinkedHashMap<>();
    private int xdsPort;
    private final List<String> jvmArgs =
        new ArrayList<>(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx384m"));

    private Builder(Path config) {
      this.config = config;
    }

    /** An extra environment variable, e.g. {@code TOLLGATE_DB_URL} for PostgreSQL. */
    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    /** The gRPC (xDS) port, when a peer must know it before the control plane starts. */
    public Builder xdsPort(int port) {
      this.xdsPort = port;
      return this;
    }

    /**
     * Mutual TLS on the gRPC port ({@code TOLLGATE_XDS_TLS_*}): its certificate, and the CA client
     * certificates must chain to.
     */
    public Builder xdsTls(TestCa.ServerCertificate certificate, Path clientCaFile) {
      env.put("TOLLGATE_XDS_TLS_CERT", certificate.certFile().toString());
      env.put("TOLLGATE_XDS_TLS_KEY", certificate.keyFile().toString());
      env.put("TOLLGATE_XDS_TLS_CLIENT_CA", clientCaFile.toString());
      return this;
    }

    public Builder jvmArg(String arg) {
      jvmArgs.add(arg);
      return this;
    }

    /**
     * Starts a control plane expected to refuse its settings; waits until it exits and returns its
     * log. Fails when it runs on or exits with 0.
     */
    public String startExpectingRefusal(Duration timeout) {
      ControlPlaneProcess controlPlane = prepare();
      try (ManagedProcess process =
          ManagedProcess.builder("control-plane", controlPlane.command)
              .env(controlPlane.env)
              .workDir(controlPlane.dir)
              .start()) {
        int exit = process.awaitExit(timeout);
        String log = process.logTail(200);
        if (exit == 0) {
          throw new IllegalStateException("control plane exited with 0:\n" + log);
        }
        return log;
      } finally {
        Scratch.delete(controlPlane.dir);
      }
    }

    /** Starts the control plane and waits until {@code /actuator/health} answers 2xx. */
    public ControlPlaneProcess start() {
      ControlPlaneProcess controlPlane = prepare();
      try {
        return controlPlane.start();
      } catch (RuntimeException e) {
        controlPlane.close();
        throw e;
      }
    }

    private ControlPlaneProcess prepare() {
      Path dir = Scratch.create("control-plane");
      int restPort = FreePorts.next();
      int xdsPort = this.xdsPort > 0 ? this.xdsPort : FreePorts.next();
      Map<String, String> all = new LinkedHashMap<>();
      all.put("TOLLGATE_CONFIG", config.toAbsolutePath().toString());
      all.put("TOLLGATE_XDS_ADDRESS", "127.0.0.1");
      all.put("TOLLGATE_XDS_PORT", Integer.toString(xdsPort));
      all.put("SERVER_ADDRESS", "127.0.0.1");
      all.put("SERVER_PORT", Integer.toString(restPort));
      all.put(
          "TOLLGATE_DB_URL",
          "jdbc:h2:file:" + dir.resolve("data/tollgate") + ";DB_CLOSE_ON_EXIT=FALSE");
      all.putAll(env);
      List<String> command = new ArrayList<>();
      command.add(Binaries.java().toString());
      command.addAll(jvmArgs);
      command.addAll(List.of("-jar", jar().toString()));
      return new ControlPlaneProcess(dir, restPort, xdsPort, all, command);
    }
  }
}
