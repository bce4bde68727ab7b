package io.tollgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code redis-server} on a free loopback port, without persistence. {@link #shutdown()} and
 * {@link #restart()} stop and start it again on the same port, for outage tests.
 */
public final class RedisServer implements AutoCloseable {

  private final int port;
  private final boolean clusterNode;
  private final int clusterNodeTimeoutMillis;
  private final Path dir;
  private ManagedProcess process;

  private RedisServer(int port, boolean clusterNode, int clusterNodeTimeoutMillis) {
    this.port = port;
    this.clusterNode = clusterNode;
    this.clusterNodeTimeoutMillis = clusterNodeTimeoutMillis;
    try {
      this.dir = Files.createTempDirectory("redis-" + port + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A standalone server. */
  public static RedisServer start() {
    RedisServer server = new RedisServer(FreePorts.next(), false, 0);
    server.launch();
    return server;
  }

  /**
   * A node with cluster mode on and no slots yet; {@link RedisCluster} joins them. A node
   * unreachable for {@code nodeTimeoutMillis} is failed over to its replica.
   */
  static RedisServer startClusterNode(int nodeTimeoutMillis) {
    RedisServer server = new RedisServer(clusterPort(), true, nodeTimeoutMillis);
    server.launch();
    return server;
  }

  /**
   * A free port whose cluster bus port (port + 10000) is free too; Redis refuses ports above 55535
   * in cluster mode for that reason.
   */
  private static int clusterPort() {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = FreePorts.next();
      if (port <= 55_535 && isFree(port + 10_000)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port pair for a Redis cluster node");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void launch() {
    List<String> command = new ArrayList<>();
    command.add(Binaries.redisServer().toString());
    command.addAll(
        List.of(
            "--port", Integer.toString(port),
            "--bind", "127.0.0.1",
            "--protected-mode", "no",
            "--save", "",
            "--appendonly", "no",
            "--dir", dir.toString()));
    if (clusterNode) {
      command.addAll(
          List.of(
              "--cluster-enabled",
              "yes",
              "--cluster-config-file",
              "nodes-" + port + ".conf",
              "--cluster-node-timeout",
              Integer.toString(clusterNodeTimeoutMillis),
              // A failed master takes only its own slots down, not every command of the cluster.
              "--cluster-require-full-coverage",
              "no"));
    }
    process = ManagedProcess.builder("redis-" + port, command).start();
    process.awaitPort("127.0.0.1", port, Duration.ofSeconds(10));
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:port}, the reference's {@code REDIS_URL} form. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops the server (SIGTERM); its data is gone, as after a crash without persistence. */
  public void shutdown() {
    if (process != null) {
      signal("-CONT");
      process.stop(Duration.ofSeconds(5));
      process = null;
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open but nothing is answered. */
  public void pause() {
    signal("-STOP");
  }

  /** Lets a paused server run again (SIGCONT). */
  public void resume() {
    signal("-CONT");
  }

  private void signal(String signal) {
    if (process == null) {
      throw new IllegalStateException("redis-" + port + " is not running");
    }
    RedisCluster.run(List.of("kill", signal, Long.toString(process.pid())), Duration.ofSeconds(5));
  }

  /** Starts the server again on the same port. */
  public void restart() {
    shutdown();
    launch();
  }

  /** Runs {@code redis-cli} against this server and returns its output. */
  public String cli(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Binaries.redisServer().resolveSibling("redis-cli").toString());
    command.addAll(List.of("-h", "127.0.0.1", "-p", Integer.toString(port)));
    command.addAll(List.of(args));
    return RedisCluster.run(command, Duration.ofSeconds(30));
  }

  @Override
  public void close() {
    shutdown();
  }
}
