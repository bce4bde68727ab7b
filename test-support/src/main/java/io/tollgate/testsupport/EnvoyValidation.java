package io.tollgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the real Envoy says of a bootstrap in {@code --mode validate}: it parses and checks every
 * resource (the same validation a running Envoy applies) without binding a port.
 *
 * @param exited whether Envoy ended within {@code timeoutSeconds}
 * @param exitCode its exit code (0: valid); -1 when it did not exit
 * @param output what it printed, for the assertion's message
 */
public record EnvoyValidation(boolean exited, int exitCode, String output) {

  /** Runs {@code envoy --mode validate -c bootstrap} and waits up to {@code timeoutSeconds}. */
  public static EnvoyValidation of(Path bootstrap, long timeoutSeconds) {
    try {
      Process envoy =
          new ProcessBuilder(
                  Binaries.envoy().toString(),
                  "--mode",
                  "validate",
                  "--disable-hot-restart",
                  "--log-level",
                  "warn",
                  "-c",
                  bootstrap.toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(envoy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      boolean exited = envoy.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      return new EnvoyValidation(exited, exited ? envoy.exitValue() : -1, output);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run envoy --mode validate", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
