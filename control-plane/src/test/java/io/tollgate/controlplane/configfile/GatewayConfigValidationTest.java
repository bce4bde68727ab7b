package io.tollgate.controlplane.configfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One bad file per validation rule under {@code src/test/resources/config/bad/}; the first line of
 * each, {@code # expect: <message>}, is the exact message the parser must report for it.
 */
class GatewayConfigValidationTest {

  private static final Path BAD = Path.of("src/test/resources/config/bad");
  private static final String EXPECT = "# expect: ";

  static List<Path> badFiles() throws IOException {
    try (Stream<Path> files = Files.list(BAD)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @ParameterizedTest
  @MethodSource("badFiles")
  void rejectsWithAMessageNamingFileAndKey(Path file) throws IOException {
    String text = Files.readString(file);
    String firstLine = text.lines().findFirst().orElse("");
    assertThat(firstLine).as("first line of %s", file).startsWith(EXPECT);
    String expected = firstLine.substring(EXPECT.length());

    InvalidConfigException e =
        catchThrowableOfType(
            InvalidConfigException.class,
            () -> new GatewayConfigParser().parse(file.getFileName().toString(), text));

    assertThat(e).as("%s must be rejected", file).isNotNull();
    assertThat(e.problems()).contains(expected);
  }
}
