package io.tollgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real child process owned by a test: output goes to a log file under {@code target/it-logs}, and
 * it is stopped on {@link #close()} or, if the test JVM dies first, by a shutdown hook, so no test
 * leaves a process behind even when it fails.
 */
public final class ManagedProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path log;
  private final Thread shutdownHook;

  private ManagedProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.shutdownHook = new Thread(() -> process.destroyForcibly(), "stop-" + name);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  public static Builder builder(String name, List<String> command) {
    return new Builder(name, command);
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** The last lines of the log, for assertion messages. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Waits until something accepts TCP connections on host:port. */
  public ManagedProcess awaitPort(String host, int port, Duration timeout) {
    return await(
        "port " + host + ":" + port,
        timeout,
        () -> {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 200);
            return true;
          } catch (IOException e) {
            return false;
          }
        });
  }

  /** Waits until GET uri answers 2xx. */
  public ManagedProcess awaitHttp(URI uri, Duration timeout) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    return await(
        "GET " + uri,
        timeout,
        () -> {
          try {
            HttpRequest request =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build();
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status >= 200 && status < 300;
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        });
  }

  /** Waits until the condition holds, failing early (with the log) if the process exits. */
  public ManagedProcess await(String what, Duration timeout, BooleanSupplier condition) {
    try {
      Awaitility.await(name + ": " + what)
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .pollInSameThread()
          .until(
              () -> {
                if (condition.getAsBoolean()) {
                  return true;
                }
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      name
                          + " exited with "
                          + process.exitValue()
                          + " before "
                          + what
                          + ":\n"
                          + logTail(40));
                }
                return false;
              });
      return this;
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          name + ": timed out after " + timeout + " waiting for " + what + ":\n" + logTail(40), e);
    }
  }

  /** Waits until the process exits on its own; its exit code, or a failure with the log. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            name + " still running after " + timeout + ":\n" + logTail(40));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    removeHook();
    return process.exitValue();
  }

  /** SIGTERM, then SIGKILL after ten seconds. */
  public void stop() {
    stop(Duration.ofSeconds(10));
  }

  public void stop(Duration grace) {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    removeHook();
  }

  /** SIGKILL at once, as a crash would. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    removeHook();
  }

  @Override
  public void close() {
    stop();
  }

  private void removeHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down and the hook is running or has run.
    }
  }

  /** Builds and starts a {@link ManagedProcess}. */
  public static final class Builder {
    private final String name;
    private final List<String> command;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path workDir;
    private Path logDir = Path.of("target", "it-logs");

    private Builder(String name, List<String> command) {
      this.name = name;
      this.command = new ArrayList<>(command);
    }

    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    public Builder env(Map<String, String> values) {
      env.putAll(values);
      return this;
    }

    public Builder workDir(Path dir) {
      this.workDir = dir;
      return this;
    }

    public Builder logDir(Path dir) {
      this.logDir = dir;
      return this;
    }

    public ManagedProcess start() {
      try {
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + "-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        pb.environment().putAll(env);
        if (workDir != null) {
          pb.directory(workDir.toFile());
        }
        return new ManagedProcess(name, pb.start(), log);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + name + ": " + command, e);
      }
    }
  }
}
