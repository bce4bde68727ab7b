package io.tollgate.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion (bounded by a deadline) and returns its exit code and output. */
final class Commands {

  /** What a finished command printed (stdout and stderr interleaved) and its exit code. */
  record Result(List<String> command, int exitCode, String output) {
    Result requireSuccess() {
      if (exitCode != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + exitCode + ":\n" + output);
      }
      return this;
    }
  }

  private Commands() {}

  static Result run(List<String> command, Map<String, String> extraEnv, Duration timeout) {
    Path log = null;
    try {
      log = Files.createTempFile("tollgate-deploy-", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(extraEnv);
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(
            String.join(" ", command) + " did not finish within " + timeout);
      }
      return new Result(
          command, process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    } finally {
      if (log != null) {
        log.toFile().delete();
      }
    }
  }

  static Result run(List<String> command) {
    return run(command, Map.of(), Duration.ofMinutes(2));
  }
}
