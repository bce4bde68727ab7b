package io.tollgate.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java renderer the tests use ({@link Templates}, {@link EnvoyProcess}) and the scripts a user
 * runs ({@code envoy/render.sh}, {@code envoy/run-envoy.sh}) give the very same files, with and
 * without mutual TLS, and values with characters bash's substitution treats specially.
 */
class RenderParityIT {

  @TempDir Path dir;

  @Test
  void renderShAndTemplatesAgreeOnSpecialCharactersAndMultiLineValues() throws Exception {
    Path template = dir.resolve("t.yaml");
    Files.writeString(
        template,
        "a: ${A}\n  nested:\n    ${BLOCK}\n\\${B} & ${A}/${B}\n\n",
        StandardCharsets.UTF_8);
    Map<String, String> values =
        Map.of("A", "x&y\\1/&&", "B", "$HOME ${A} *", "BLOCK", "k: v & w\nm:\n  n: 1");
    String shell = run(Map.of(), values, "envoy/render.sh", template.toString());
    assertThat(shell).isEqualTo(Templates.render(template, values));
    assertThat(shell)
        .isEqualTo(
            "a: x&y\\1/&&\n  nested:\n    k: v & w\n    m:\n      n: 1\n"
                + "\\$HOME ${A} * & x&y\\1/&&/$HOME ${A} *\n\n");
  }

  @Test
  void runEnvoyShRendersThePlaintextBootstrapAsEnvoyProcessDoes() throws Exception {
    Map<String, String> env = EnvoyProcess.builder(18123).nodeId("node&1").environment(9123, 19123);
    String shell = runEnvoyBootstrap(env);
    assertThat(shell).isEqualTo(javaBootstrap(env));
    assertThat(shell)
        .contains("id: node&1", "envoy.transport_sockets.raw_buffer")
        .doesNotContain("${", "UpstreamTlsContext");
  }

  @Test
  void runEnvoyShRendersTheMutualTlsBootstrapAsEnvoyProcessDoes() throws Exception {
    TestCa ca = TestCa.create(dir, "ca");
    Map<String, String> env =
        EnvoyProcess.builder(18123)
            .nodeId("node-tls")
            .xdsTls(ca.issueClientCertificate("envoy", TestCa.ENVOY_ROLE), ca.caFile(), "cp&x")
            .environment(9123, 19123);
    String shell = runEnvoyBootstrap(env);
    assertThat(shell).isEqualTo(javaBootstrap(env));
    assertThat(shell)
        .contains(
            "      transport_socket:\n        # The tollgate_xds cluster's transport socket",
            "\n          sni: cp&x\n",
            "filename: " + ca.caFile(),
            "- { san_type: DNS, matcher: { exact: cp&x } }")
        .doesNotContain("${", "raw_buffer");
  }

  @Test
  void runEnvoyShDefaultsTheServerNameToTheXdsHostAndRefusesHalfATlsSetting() throws Exception {
    TestCa ca = TestCa.create(dir, "ca");
    Map<String, String> env =
        new LinkedHashMap<>(
            EnvoyProcess.builder(18123)
                .xdsTls(ca.issueClientCertificate("envoy", TestCa.ENVOY_ROLE), ca.caFile(), "x")
                .environment(9123, 19123));
    env.remove("ENVOY_XDS_TLS_SERVER_NAME");
    assertThat(runEnvoyBootstrap(env)).contains("sni: 127.0.0.1\n");

    env.remove("ENVOY_XDS_TLS_CA");
    Result result = exec(fakeEnvoyPath(), env, "envoy/run-envoy.sh");
    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.stderr())
        .contains("needs ENVOY_XDS_TLS_CERT, ENVOY_XDS_TLS_KEY and ENVOY_XDS_TLS_CA together")
        .contains("only ENVOY_XDS_TLS_CERT ENVOY_XDS_TLS_KEY set");
  }

  private String javaBootstrap(Map<String, String> env) throws IOException {
    return Files.readString(
        EnvoyProcess.renderBootstrap(env, dir.resolve("java-bootstrap.yaml")),
        StandardCharsets.UTF_8);
  }

  /** run-envoy.sh's bootstrap: an "envoy" first on PATH prints the file it is given with -c. */
  private String runEnvoyBootstrap(Map<String, String> env) throws Exception {
    return run(fakeEnvoyPath(), env, "envoy/run-envoy.sh");
  }

  private Map<String, String> fakeEnvoyPath() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path envoy = bin.resolve("envoy");
    Files.writeString(
        envoy,
        "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = -c ] && exec cat \"$2\"; shift; done\nexit 2\n");
    Files.setPosixFilePermissions(envoy, PosixFilePermissions.fromString("rwxr-xr-x"));
    return Map.of(
        "PATH",
        bin + ":" + System.getenv("PATH"),
        "TOLLGATE_RUN_DIR",
        dir.resolve("run").toString());
  }

  private static String run(Map<String, String> base, Map<String, String> env, String... command)
      throws Exception {
    Result result = exec(base, env, command);
    assertThat(result.exit()).as(result.stderr()).isZero();
    return result.stdout();
  }

  private record Result(int exit, String stdout, String stderr) {}

  private static Result exec(Map<String, String> base, Map<String, String> env, String... command)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(Binaries.repoRoot().toFile());
    pb.command().set(0, Binaries.repoRoot().resolve(command[0]).toString());
    pb.environment().putAll(base);
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Result(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }
}
