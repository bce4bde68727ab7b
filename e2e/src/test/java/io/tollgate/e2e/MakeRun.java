package io.tollgate.e2e;

import io.tollgate.testsupport.Binaries;
import io.tollgate.testsupport.FreePorts;
import io.tollgate.testsupport.ManagedProcess;
import io.tollgate.testsupport.Scratch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code UPSTREAM=mock make run} without make: {@code scripts/run.sh} with the jars the build made,
 * every port it uses on a free loopback port, and a run directory of its own (logs, H2 file,
 * rendered configs, pids), so it never touches the checkout's {@code .run/}. {@link #close()} stops
 * it as an operator does (SIGTERM), then kills whatever it left, so a failing test leaves nothing
 * running.
 */
final class MakeRun implements AutoCloseable {

  private static final Duration READY = Duration.ofSeconds(240);

  private final Path dir;
  private final Path runDir;
  private final int proxyPort = FreePorts.next();
  private final int restPort = FreePorts.next();
  private final int rateLimitHttpPort = FreePorts.next();
  private final ManagedProcess script;

  private MakeRun() {
    dir = Scratch.create("make-run");
    runDir = dir.resolve("run");
    int mockPort = FreePorts.next();
    Path config = dir.resolve("tollgate.yaml");
    write(
        config,
        """
        listener: { address: 127.0.0.1, port: %d }
        upstreams:
          - { name: mock, url: "http://127.0.0.1:%d", connectTimeout: 1s }
        routes:
          - { name: default, match: { pathPrefix: / }, upstream: mock }
        """
            .formatted(proxyPort, mockPort));
    Map<String, String> env = new LinkedHashMap<>();
    env.put("UPSTREAM", "mock");
    env.put("TOLLGATE_CONFIG", config.toString());
    env.put("TOLLGATE_RUN_DIR", runDir.toString());
    env.put("MOCK_HTTP_PORT", Integer.toString(mockPort));
    env.put("MOCK_HTTPS_PORT", Integer.toString(FreePorts.next()));
    env.put("MOCK_WORKERS", "1");
    env.put("TOLLGATE_XDS_PORT", Integer.toString(FreePorts.next()));
    env.put("SERVER_PORT", Integer.toString(restPort));
    env.put("RATELIMIT_GRPC_PORT", Integer.toString(FreePorts.next()));
    env.put("RATELIMIT_HTTP_PORT", Integer.toString(rateLimitHttpPort));
    env.put("REDIS_PORT", Integer.toString(FreePorts.next()));
    env.put("ENVOY_ADMIN_PORT", Integer.toString(FreePorts.next()));
    env.put("ENVOY_STATS_PORT", Integer.toString(FreePorts.next()));
    env.put("ENVOY_CONCURRENCY", "1");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("CONTROL_PLANE_JAVA_OPTS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx384m");
    env.put("RATELIMIT_JAVA_OPTS", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx256m");
    // envoy/install-envoy.sh takes the envoy on PATH: the one the build installed.
    env.put("PATH", Binaries.envoy().getParent() + ":" + System.getenv("PATH"));
    Path root = Binaries.repoRoot();
    script =
        ManagedProcess.builder(
                "make-run", List.of("bash", root.resolve("scripts/run.sh").toString()))
            .env(env)
            .workDir(root)
            .start();
  }

  /** Starts the script and waits until it prints that everything is ready. */
  static MakeRun start() {
    MakeRun run = new MakeRun();
    try {
      run.script.await("tollgate: ready", READY, () -> run.output().contains("tollgate: ready in"));
      return run;
    } catch (RuntimeException e) {
      run.close();
      throw e;
    }
  }

  ManagedProcess script() {
    return script;
  }

  /** What the script printed so far. */
  String output() {
    try {
      return Files.readString(script.log());
    } catch (IOException e) {
      return "";
    }
  }

  int proxyPort() {
    return proxyPort;
  }

  String restUrl() {
    return "http://127.0.0.1:" + restPort;
  }

  String rateLimitUrl() {
    return "http://127.0.0.1:" + rateLimitHttpPort;
  }

  /** The pid of child {@code name} from {@code $TOLLGATE_RUN_DIR/pids}, while it runs. */
  Optional<Long> pid(String name) {
    return field(runDir.resolve("pids"), name).map(Long::parseLong);
  }

  /** How often child {@code name} was restarted, from {@code $TOLLGATE_RUN_DIR/restarts}. */
  int restarts(String name) {
    return field(runDir.resolve("restarts"), name).map(Integer::parseInt).orElse(0);
  }

  /** Every process the script runs now: its children and theirs (nginx workers). */
  List<ProcessHandle> processes() {
    return ProcessHandle.of(script.pid()).map(p -> p.descendants().toList()).orElse(List.of());
  }

  /** SIGTERM, as Ctrl-C would; waits for the script to finish stopping its children. */
  void stop() {
    // The control plane may write its class-data archive on the way out (up to 30 s).
    script.stop(Duration.ofSeconds(90));
  }

  @Override
  public void close() {
    List<ProcessHandle> left = processes();
    stop();
    left.forEach(ProcessHandle::destroyForcibly);
    Scratch.delete(dir);
  }

  private static Optional<String> field(Path file, String name) {
    try {
      for (String line : Files.readAllLines(file)) {
        String[] words = line.trim().split(" ");
        if (words.length == 2 && words[0].equals(name)) {
          return Optional.of(words[1]);
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
