package io.tollgate.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The packaged rate-limit service ({@code ratelimit-service/target/ratelimit-service.jar}) as a
 * real JVM with the in-memory store, taking its configuration over xDS from a control plane.
 */
public final class RateLimitServiceProcess implements AutoCloseable {

  private final ManagedProcess process;
  private final int grpcPort;

  private RateLimitServiceProcess(ManagedProcess process, int grpcPort) {
    this.process = process;
    this.grpcPort = grpcPort;
  }

  /** Starts a service fed by the control plane's xDS port and waits until its gRPC port opens. */
  public static RateLimitServiceProcess start(int controlPlaneXdsPort) {
    Path jar = Binaries.repoRoot().resolve("ratelimit-service/target/ratelimit-service.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar
              + " missing; build it with `./mvnw -B -q -pl ratelimit-service -am -DskipTests package`");
    }
    int grpcPort = FreePorts.next();
    ManagedProcess process =
        ManagedProcess.builder(
                "ratelimit-service",
                List.of(
                    Binaries.java().toString(),
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-Xmx256m",
                    "-jar",
                    jar.toString()))
            .env("GRPC_HOST", "127.0.0.1")
            .env("GRPC_PORT", Integer.toString(grpcPort))
            .env("HOST", "127.0.0.1")
            .env("PORT", Integer.toString(FreePorts.next()))
            .env("BACKEND_TYPE", "memory")
            .env("CONFIG_TYPE", "GRPC_XDS_SOTW")
            .env("CONFIG_GRPC_XDS_SERVER_URL", "127.0.0.1:" + controlPlaneXdsPort)
            .env("CONFIG_GRPC_XDS_NODE_ID", "ratelimit-" + grpcPort)
            .env("XDS_CLIENT_BACKOFF_INITIAL_INTERVAL", "1s")
            .env("XDS_CLIENT_BACKOFF_MAX_INTERVAL", "2s")
            .env("FORCE_START_WITHOUT_INITIAL_CONFIG", "true")
            .start();
    try {
      process.awaitPort("127.0.0.1", grpcPort, Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      process.kill();
      throw e;
    }
    return new RateLimitServiceProcess(process, grpcPort);
  }

  public int grpcPort() {
    return grpcPort;
  }

  public ManagedProcess process() {
    return process;
  }

  @Override
  public void close() {
    process.stop();
  }
}
