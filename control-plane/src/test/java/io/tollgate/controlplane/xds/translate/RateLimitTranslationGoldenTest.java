package io.tollgate.controlplane.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.controlplane.limits.referenceyaml.ReferenceYaml;
import io.tollgate.controlplane.limits.validation.LimitRuleValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files of the rate-limit translation: for each {@code golden-limits/<case>.rules.json}, the
 * whole snapshot ({@code <case>.out.json}: filter, virtual-host actions, cluster, the
 * RateLimitConfig) and the export in the reference YAML ({@code <case>.out.yaml}). Rewrite after an
 * intended change with {@code -Dgolden.update=true} and review the diff.
 */
class RateLimitTranslationGoldenTest {

  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  @ParameterizedTest
  @MethodSource("io.tollgate.controlplane.xds.translate.RateLimitGolden#cases")
  void snapshotMatchesGoldenFile(String name) throws Exception {
    check(
        RateLimitGolden.DIR.resolve(name + ".out.json"),
        EnvoyResourcesJson.print(RateLimitGolden.translate(name)));
  }

  @ParameterizedTest
  @MethodSource("io.tollgate.controlplane.xds.translate.RateLimitGolden#cases")
  void exportMatchesGoldenFileAndImportsBackToTheSameRules(String name) throws Exception {
    var input = RateLimitGolden.input(name);
    var config = RateLimitConfigs.of(input.limits().rules());
    String yaml = ReferenceYaml.write(config);
    check(RateLimitGolden.DIR.resolve(name + ".out.yaml"), yaml);

    var enabled = input.limits().rules().stream().filter(r -> r.enabled()).toList();
    assertThat(RateLimitConfigs.rules(ReferenceYaml.read(yaml), LimitRuleValidator::validate))
        .isEqualTo(enabled);
    // What the services get over xDS is exactly what the export prints.
    assertThat(RateLimitGolden.translate(name).rateLimitConfigs()).containsExactly(config);
  }

  private static void check(Path golden, String actual) throws Exception {
    if (UPDATE) {
      Files.writeString(golden, actual);
    }
    assertThat(golden).as("golden file %s (run with -Dgolden.update=true)", golden).exists();
    assertThat(actual).isEqualTo(Files.readString(golden));
  }
}
