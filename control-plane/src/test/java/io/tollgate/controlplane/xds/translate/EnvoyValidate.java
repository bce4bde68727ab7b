package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.tollgate.testsupport.Binaries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs {@code envoy --mode validate} on a bootstrap. */
final class EnvoyValidate {

  /**
   * The outcome of one validation.
   *
   * @param ok Envoy exited 0 and said OK
   * @param output what it printed
   */
  record Result(boolean ok, String output) {}

  private EnvoyValidate() {}

  static Result run(Bootstrap bootstrap, Path dir) throws IOException, InterruptedException {
    Path config = Files.createTempFile(dir, "envoy", ".json");
    Files.writeString(
        config, JsonFormat.printer().usingTypeRegistry(EnvoyResourcesJson.TYPES).print(bootstrap));
    Process envoy =
        new ProcessBuilder(
                Binaries.envoy().toString(), "--mode", "validate", "-c", config.toString())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    String output = new String(envoy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!envoy.waitFor(60, TimeUnit.SECONDS)) {
      envoy.destroyForcibly();
      throw new IllegalStateException("envoy --mode validate did not finish: " + output);
    }
    return new Result(envoy.exitValue() == 0 && output.contains("OK"), output);
  }
}
