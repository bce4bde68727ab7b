package io.tollgate.testsupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A throwaway {@code redis-server} on a free port of 127.0.0.1: no persistence, its working
 * directory in a scratch directory that is removed on close.
 */
public final class RedisServer implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final ManagedProcess process;

  private RedisServer(Path dir, int port, ManagedProcess process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** Starts a server and waits until it accepts connections. */
  public static RedisServer start() {
    Path dir = Scratch.create("redis");
    int port = FreePorts.next();
    ManagedProcess process =
        ManagedProcess.builder(
                "redis",
                List.of(
                    Binaries.redisServer().toString(),
                    "--port",
                    Integer.toString(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    dir.toString()))
            .workDir(dir)
            .start();
    RedisServer server = new RedisServer(dir, port, process);
    try {
      process.awaitPort("127.0.0.1", port, Duration.ofSeconds(20));
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:<port>}, the form {@code REDIS_URL} takes. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  public ManagedProcess process() {
    return process;
  }

  @Override
  public void close() {
    process.stop();
    Scratch.delete(dir);
  }
}
