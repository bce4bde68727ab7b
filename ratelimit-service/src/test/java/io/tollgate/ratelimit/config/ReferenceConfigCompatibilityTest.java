package io.tollgate.ratelimit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import io.tollgate.referenceconfig.ConfigDocument;
import io.tollgate.referenceconfig.ConfigException;
import io.tollgate.referenceconfig.ReferenceYamlReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every configuration file of the reference's own tests, accepted or rejected as the reference
 * does, with its message: one dynamic test per line of {@code reference/expectations.tsv}. Messages
 * are compared exactly, except the text of a YAML syntax error, which comes from Go's YAML parser;
 * there the class ({@code <file>: error loading config file:}) must match.
 */
class ReferenceConfigCompatibilityTest {

  private static final String ROOT = "/reference/";
  private static final Pattern AFTER =
      Pattern.compile("when loaded after (\\S+) with merge=(true|false): (.+)");
  private static final Pattern WITH_OK =
      Pattern.compile("with (\\S+) and merge=(true|false) also ok");
  private static final Pattern TWICE =
      Pattern.compile("loaded twice with merge=(true|false): (.+)");

  private final ReferenceYamlReader reader = new ReferenceYamlReader();

  @TestFactory
  Stream<DynamicTest> everyReferenceFileBehavesAsTheReferenceSays() throws IOException {
    List<String[]> rows = new ArrayList<>();
    for (String line : resource("expectations.tsv").split("\n")) {
      if (line.isBlank() || line.startsWith("filename\t")) {
        continue;
      }
      rows.add(line.split("\t", 2));
    }
    return rows.stream().map(r -> DynamicTest.dynamicTest(r[0], () -> check(r[0], r[1].trim())));
  }

  @Test
  void everyYamlFileInTheReferenceDirectoryHasExactlyOneExpectation() throws Exception {
    Path dir = Path.of(ReferenceConfigCompatibilityTest.class.getResource(ROOT).toURI());
    List<String> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files =
          walk.filter(p -> p.toString().endsWith(".yaml"))
              .map(p -> dir.relativize(p).toString())
              .sorted()
              .toList();
    }
    List<String> named =
        Stream.of(resource("expectations.tsv").split("\n"))
            .filter(l -> !l.isBlank() && !l.startsWith("filename\t"))
            .map(l -> l.split("\t")[0])
            .sorted()
            .toList();
    assertThat(files).hasSize(26).isEqualTo(named);
  }

  private void check(String file, String expected) throws IOException {
    if (!expected.startsWith("ok")) {
      expectError(List.of(file), false, expected);
      return;
    }
    // "ok" alone, or "ok (...); clause; clause".
    compile(List.of(file), false);
    String rest = expected.substring(2).trim();
    if (rest.isEmpty()) {
      return;
    }
    for (String clause : rest.replaceAll("^\\(|\\)", "").split(";")) {
      String c = clause.trim().replaceFirst("^alone", "").trim();
      if (c.isEmpty()) {
        continue;
      }
      Matcher m;
      if ((m = AFTER.matcher(c)).matches()) {
        expectError(List.of(m.group(1), file), Boolean.parseBoolean(m.group(2)), m.group(3));
      } else if ((m = WITH_OK.matcher(c)).matches()) {
        compile(List.of(file, m.group(1)), Boolean.parseBoolean(m.group(2)));
      } else if ((m = TWICE.matcher(c)).matches()) {
        expectError(List.of(file, file), Boolean.parseBoolean(m.group(1)), m.group(2));
      } else {
        fail("expectation clause this test does not understand: '" + c + "'");
      }
    }
  }

  private CompiledConfig compile(List<String> files, boolean merge) throws IOException {
    List<ConfigDocument> docs = new ArrayList<>();
    for (String f : files) {
      docs.add(reader.read(f, resource(f)));
    }
    return new ConfigCompiler(merge).compile(docs);
  }

  private void expectError(List<String> files, boolean merge, String expected) {
    String yamlSyntax = ": error loading config file: yaml: ";
    assertThatThrownBy(() -> compile(files, merge))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e -> {
              if (expected.contains(yamlSyntax)) {
                String prefix = expected.substring(0, expected.indexOf(yamlSyntax) + 28);
                assertThat(e.getMessage()).startsWith(prefix);
              } else {
                assertThat(e.getMessage()).isEqualTo(expected);
              }
            });
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ReferenceConfigCompatibilityTest.class.getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IOException("missing test resource " + ROOT + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
