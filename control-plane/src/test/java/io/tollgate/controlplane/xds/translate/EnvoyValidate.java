package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.tollgate.testsupport.EnvoyValidation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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

  static Result run(Bootstrap bootstrap, Path dir) throws IOException {
    Path config = Files.createTempFile(dir, "envoy", ".json");
    Files.writeString(
        config, JsonFormat.printer().usingTypeRegistry(EnvoyResourcesJson.TYPES).print(bootstrap));
    EnvoyValidation validation = EnvoyValidation.of(config, 60);
    return new Result(
        validation.exited() && validation.exitCode() == 0 && validation.output().contains("OK"),
        validation.output());
  }
}
