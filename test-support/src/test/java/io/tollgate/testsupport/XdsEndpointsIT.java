package io.tollgate.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code envoy/xds-localities.sh}, which turns {@code TOLLGATE_XDS_ENDPOINTS} into the bootstrap's
 * control-plane endpoints: a list renders to a bootstrap the real Envoy accepts, one priority per
 * control plane in order; a malformed entry is refused naming the variable.
 */
class XdsEndpointsIT {

  private static final Path SCRIPT = Binaries.repoRoot().resolve("envoy/xds-localities.sh");

  @Test
  void aListRendersToABootstrapEnvoyAccepts(@TempDir Path dir) throws Exception {
    Result localities = run("127.0.0.1:18000, control-plane-b:18001,[::1]", "18000");
    assertThat(localities.code()).as(localities.output()).isZero();
    assertThat(localities.output())
        .contains("priority: 0", "\"127.0.0.1\", port_value: 18000")
        .contains("priority: 1", "\"control-plane-b\", port_value: 18001")
        .contains("priority: 2", "\"::1\", port_value: 18000");

    Map<String, String> env =
        EnvoyProcess.builder(18000).nodeId("validate").environment(9901, 19001);
    env.put("TOLLGATE_XDS_ENDPOINTS", "127.0.0.1:18000, control-plane-b:18001,[::1]");
    Path bootstrap = EnvoyProcess.renderBootstrap(env, dir.resolve("b.yaml"));
    EnvoyValidation validation = EnvoyValidation.of(bootstrap, 60);
    assertThat(validation.exited()).isTrue();
    assertThat(validation.exitCode()).as(validation.output()).isZero();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", " , ", "a,,b", "a,", "h:0", "h:65536", "h:x", "x y", "http://h", "a:1,a:1"})
  void aMalformedListIsRefusedNamingTheVariable(String endpoints) throws Exception {
    Result result = run(endpoints, "18000");
    assertThat(result.code()).as(result.output()).isEqualTo(2);
    assertThat(result.output()).startsWith("xds-localities: TOLLGATE_XDS_ENDPOINTS: ");
  }

  private static Result run(String endpoints, String defaultPort) throws Exception {
    Process p =
        new ProcessBuilder(List.of(SCRIPT.toString(), endpoints, defaultPort))
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), output);
  }

  private record Result(int code, String output) {}
}
