package io.tollgate.controlplane.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.controlplane.configfile.GatewayConfigParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden-file tests of the translator, as Envoy Gateway does them: every {@code
 * src/test/resources/golden/<case>.in.yaml} is parsed as a {@code tollgate.yaml}, translated
 * without extensions, and the Envoy resources printed as JSON must equal {@code <case>.out.json}
 * byte for byte.
 *
 * <p>After an intended change of the translation, rewrite the outputs and review the diff:
 *
 * <pre>
 * ./mvnw -pl control-plane -am test -Dtest=TranslatorGoldenTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dgolden.update=true
 * </pre>
 */
class TranslatorGoldenTest {

  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  private static final String IN = ".in.yaml";
  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  static List<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(GOLDEN)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(IN))
          .map(n -> n.substring(0, n.length() - IN.length()))
          .sorted()
          .toList();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void translationMatchesGoldenFile(String name) throws Exception {
    Path in = GOLDEN.resolve(name + IN);
    Path out = GOLDEN.resolve(name + ".out.json");
    var gateway =
        new GatewayConfigParser().parse(in.getFileName().toString(), Files.readString(in));

    String actual =
        EnvoyResourcesJson.print(new Translator(List.of()).translate(TranslatorInput.of(gateway)));

    if (UPDATE) {
      Files.writeString(out, actual);
    }
    assertThat(out).as("golden file %s (run with -Dgolden.update=true to create)", out).exists();
    assertThat(actual).isEqualTo(Files.readString(out));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void translationIsDeterministic(String name) throws Exception {
    Path in = GOLDEN.resolve(name + IN);
    var gateway = new GatewayConfigParser().parse(name, Files.readString(in));
    var translator = new Translator(List.of());

    assertThat(translator.translate(TranslatorInput.of(gateway)))
        .isEqualTo(new Translator(List.of()).translate(TranslatorInput.of(gateway)));
  }
}
