package io.tollgate.controlplane.limits.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.controlplane.limits.validation.PathRegexCorpus.Entry;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The validator's verdict on every corpus regex is the recorded one, and it never accepts a regex
 * Envoy rejects ({@code PathRegexEnvoyIT} checks Envoy's column against the real binary).
 */
class PathRegexCorpusTest {

  static List<Entry> entries() throws IOException {
    return PathRegexCorpus.entries();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void validatorVerdictIsTheRecordedOne(Entry entry) {
    assertThat(PathRegexCorpus.validatorAccepts(entry.pattern()))
        .as("validator accepts %s", entry.pattern())
        .isEqualTo(entry.validatorAccepts());
    if (entry.validatorAccepts()) {
      assertThat(entry.envoyAccepts()).as("Envoy accepts what the validator accepts").isTrue();
    }
  }

  @Test
  void theCorpusSpansTheLimitAndTheIssuesPattern() throws IOException {
    List<Entry> entries = entries();
    assertThat(entries).hasSizeGreaterThanOrEqualTo(30);
    assertThat(entries).anyMatch(e -> e.envoyAccepts() && e.validatorAccepts());
    assertThat(entries).anyMatch(e -> !e.envoyAccepts() && !e.validatorAccepts());
    assertThat(entries).anyMatch(e -> e.pattern().equals("/nothing{1000}") && !e.envoyAccepts());
  }
}
