package io.tollgate.testsupport;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One of Tollgate's packaged Boot jars as a real JVM, in a scratch directory of its own, on
 * loopback ports fixed at construction: {@link #startJvm()} waits until its health URL answers 2xx
 * and its gRPC port accepts connections; after {@link #stop()} or {@link #kill()} it starts again
 * on the same ports with the same files, as a restarted server would. {@link #close()} stops it and
 * deletes the directory.
 */
public abstract class JvmProcess implements AutoCloseable {

  private final String name;
  private final Path dir;
  private final Map<String, String> env;
  private final List<String> jvmArgs;
  private final String module;
  private final URI health;
  private final int grpcPort;
  private final Duration startup;
  private ManagedProcess process;

  /**
   * @param name the process's name in logs and failures
   * @param dir its scratch directory (working directory, deleted by {@link #close()})
   * @param module the Maven module whose {@code target/<module>.jar} runs
   * @param jvmArgs the JVM's options before {@code -jar}
   * @param health the URL that answers 2xx once it is ready
   * @param grpcPort the gRPC port that must accept connections too
   * @param startup how long a start may take
   */
  protected JvmProcess(
      String name,
      Path dir,
      String module,
      List<String> jvmArgs,
      Map<String, String> env,
      URI health,
      int grpcPort,
      Duration startup) {
    this.name = name;
    this.dir = dir;
    this.module = module;
    this.jvmArgs = List.copyOf(jvmArgs);
    this.env = Map.copyOf(env);
    this.health = health;
    this.grpcPort = grpcPort;
    this.startup = startup;
  }

  /**
   * The jar the build packages for {@code module}; fails with the command that makes it when it is
   * missing.
   */
  static Path packagedJar(String module) {
    Path jar = Binaries.repoRoot().resolve(module + "/target/" + module + ".jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar
              + " missing; build it with `./mvnw -B -q -pl "
              + module
              + " -am -DskipTests package`");
    }
    return jar;
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

  /** Starts the JVM (again, after a stop or a kill) and waits until it is ready. */
  protected synchronized void startJvm() {
    if (isRunning()) {
      throw new IllegalStateException(name + " already running, pid " + process.pid());
    }
    process = builder().start();
    process.awaitHttp(health, startup);
    process.awaitPort("127.0.0.1", grpcPort, Duration.ofSeconds(10));
  }

  /** The process as {@link #startJvm()} starts it, for a caller that awaits something else. */
  protected ManagedProcess.Builder builder() {
    List<String> command = new ArrayList<>();
    command.add(Binaries.java().toString());
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", packagedJar(module).toString()));
    return ManagedProcess.builder(name, command).env(env).workDir(dir);
  }

  /** The environment it runs with. */
  protected Map<String, String> env() {
    return env;
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

  @Override
  public void close() {
    stop();
    Scratch.delete(dir);
  }
}
