package io.tollgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int validate(Path path, Map<String, String> env) {
    return Main.validate(
        path,
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void validateReportsEveryBrokenFileAndExitsNonZero() throws IOException {
    Files.writeString(
        dir.resolve("a.yaml"), "domain: a\ndescriptors:\n  - key: k\n    ratelimit: {}\n");
    Files.writeString(dir.resolve("b.yaml"), "domain: b\ndescriptors:\n  - value: v\n");
    Files.writeString(dir.resolve("c.yaml"), "domain: c\n");
    assertThat(validate(dir, Map.of())).isEqualTo(1);
    String errors = err.toString(StandardCharsets.UTF_8);
    assertThat(errors)
        .contains("a.yaml: config error, unknown key 'ratelimit'")
        .contains("b.yaml: descriptor has empty key")
        .contains("2 error(s) in 3 file(s)");
  }

  @Test
  void validateChecksFilesTogetherAndAcceptsAGoodDirectory() throws IOException {
    Files.writeString(dir.resolve("a.yaml"), "domain: x\n");
    Files.writeString(dir.resolve("b.yaml"), "domain: x\n");
    assertThat(validate(dir, Map.of())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("b.yaml: duplicate domain 'x' in config file");
    assertThat(validate(dir, Map.of("MERGE_DOMAIN_CONFIG", "true"))).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("OK: 2 file(s), 1 domain(s): x");
    assertThat(validate(dir.resolve("a.yaml"), Map.of())).isZero();
    assertThat(validate(dir.resolve("missing"), Map.of())).isEqualTo(2);
  }

  @Test
  void validateNamesAFileThatIsNotUtf8WithoutAStackTrace() throws IOException {
    Files.write(
        dir.resolve("latin1.yaml"), "domain: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(validate(dir, Map.of())).isEqualTo(1);
    String errors = err.toString(StandardCharsets.UTF_8);
    assertThat(errors)
        .startsWith("latin1.yaml: error loading config file: yaml: invalid UTF-8 at byte 11")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
  }
}
