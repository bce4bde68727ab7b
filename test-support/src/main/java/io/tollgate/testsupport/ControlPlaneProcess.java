package io.tollgate.testsupport;

import java.net.URI;
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
public final class ControlPlaneProcess extends JvmProcess {

  /** Generous: a Boot start takes over two minutes on a 2-core machine under a load of 20. */
  private static final Duration STARTUP = Duration.ofMinutes(4);

  private final int restPort;
  private final int xdsPort;

  private ControlPlaneProcess(
      Path dir, int restPort, int xdsPort, Map<String, String> env, List<String> jvmArgs) {
    super(
        "control-plane",
        dir,
        "control-plane",
        jvmArgs,
        env,
        URI.create("http://127.0.0.1:" + restPort + "/actuator/health"),
        xdsPort,
        STARTUP);
    this.restPort = restPort;
    this.xdsPort = xdsPort;
  }

  /** The jar the build packages; fails with the command that makes it when it is missing. */
  public static Path jar() {
    return packagedJar("control-plane");
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

  /** Starts the JVM (again, after {@link #kill()} or {@link #stop()}) and waits until healthy. */
  public ControlPlaneProcess start() {
    startJvm();
    return this;
  }

  /** A graceful stop, then a start on the same ports with the same database. */
  public ControlPlaneProcess restart() {
    stop();
    return start();
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
      try (ManagedProcess process = controlPlane.builder().start()) {
        int exit = process.awaitExit(timeout);
        String log = process.logTail(200);
        if (exit == 0) {
          throw new IllegalStateException("control plane exited with 0:\n" + log);
        }
        return log;
      } finally {
        controlPlane.close();
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
      return new ControlPlaneProcess(dir, restPort, xdsPort, all, jvmArgs);
    }
  }
}
