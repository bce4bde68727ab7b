package io.tollgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A Redis Cluster of three real {@code redis-server} masters on loopback, joined with {@code
 * redis-cli --cluster create} and ready ({@code cluster_state:ok}) when started: without replicas
 * ({@link #start()}), or with one replica per master ({@link #startWithReplicas()}) for tests that
 * stop a master: without a replica its slots, and the counters in them, would be gone with it. A
 * failed master takes only its own slots down ({@code cluster-require-full-coverage no}).
 */
public final class RedisCluster implements AutoCloseable {

  private final List<RedisServer> nodes;

  private RedisCluster(List<RedisServer> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  public static RedisCluster start() {
    return start(0, 5000);
  }

  /**
   * Three masters, each with a replica that takes over within about two seconds of its master
   * stopping (node timeout 1 s); a master stopped by SIGTERM first waits for its replica to catch
   * up, so no counter increment is lost.
   */
  public static RedisCluster startWithReplicas() {
    return start(1, 1000);
  }

  private static RedisCluster start(int replicasPerMaster, int nodeTimeoutMillis) {
    List<RedisServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 3 * (1 + replicasPerMaster); i++) {
        nodes.add(RedisServer.startClusterNode(nodeTimeoutMillis));
      }
      List<String> create = new ArrayList<>();
      create.add(Binaries.redisServer().resolveSibling("redis-cli").toString());
      create.add("--cluster");
      create.add("create");
      nodes.forEach(n -> create.add(n.address()));
      create.addAll(
          List.of("--cluster-replicas", Integer.toString(replicasPerMaster), "--cluster-yes"));
      run(create, Duration.ofSeconds(60));
      RedisCluster cluster = new RedisCluster(nodes);
      cluster.awaitReady(Duration.ofSeconds(30));
      return cluster;
    } catch (RuntimeException e) {
      nodes.forEach(RedisServer::close);
      throw e;
    }
  }

  public List<RedisServer> nodes() {
    return nodes;
  }

  /**
   * The seeds, comma-separated: the reference's {@code REDIS_URL} for {@code REDIS_TYPE=CLUSTER}.
   */
  public String addresses() {
    return nodes.stream().map(RedisServer::address).collect(Collectors.joining(","));
  }

  /** The running nodes that are masters now (after a failover, a former replica among them). */
  public List<RedisServer> masters() {
    return nodes.stream()
        .filter(RedisServer::isRunning)
        .filter(n -> n.cli("role").startsWith("master"))
        .toList();
  }

  /**
   * Waits until three running masters serve every slot again ({@code cluster_state:ok} on every
   * running node), e.g. after a master was stopped and its replica promoted.
   */
  public void awaitReady(Duration timeout) {
    awaitCondition(
        "Redis cluster ready",
        timeout,
        () ->
            masters().size() == 3
                && nodes.stream()
                    .filter(RedisServer::isRunning)
                    .allMatch(n -> n.cli("cluster", "info").contains("cluster_state:ok")));
  }

  /**
   * A planned stop, as an operator takes a master out for maintenance: its replica takes over first
   * ({@code CLUSTER FAILOVER}, which waits for the replica to catch up), then the former master,
   * now a replica holding no slots, is stopped. Returns the promoted node.
   */
  public RedisServer handOverAndStop(RedisServer master, Duration timeout) {
    String port = Integer.toString(master.port());
    RedisServer replica =
        nodes.stream()
            .filter(n -> n != master && n.isRunning())
            .filter(n -> n.cli("role").lines().limit(4).toList().equals(replicaRole(port)))
            .findFirst()
            .orElseThrow(
                () -> new IllegalStateException("no connected replica of " + master.address()));
    replica.cli("cluster", "failover");
    awaitCondition(
        "hand-over from " + master.address(),
        timeout,
        () -> replica.cli("role").startsWith("master") && master.cli("role").startsWith("slave"));
    master.shutdown();
    awaitReady(timeout);
    return replica;
  }

  /** What {@code ROLE} prints on a connected replica of the master on {@code port}. */
  private static List<String> replicaRole(String port) {
    return List.of("slave", "127.0.0.1", port, "connected");
  }

  /** Runs a short command to completion; fails with its output if it fails. */
  static String run(List<String> command, Duration timeout) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + command);
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(command + " exited " + p.exitValue() + ":\n" + text);
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
  }

  private static void awaitCondition(String what, Duration timeout, Callable<Boolean> done) {
    try {
      Awaitility.await(what)
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .until(done);
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException("no " + what + " within " + timeout, e);
    }
  }
}
