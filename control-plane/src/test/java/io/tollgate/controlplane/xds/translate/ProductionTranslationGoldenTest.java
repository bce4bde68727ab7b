package io.tollgate.controlplane.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The whole snapshot production serves, pinned: every extension production wires, on one gateway
 * with rules. Rewrite after an intended change with {@code -Dgolden.update=true} and review the
 * diff.
 */
class ProductionTranslationGoldenTest {

  private static final boolean UPDATE = Boolean.getBoolean("golden.update");
  private static final Path GOLDEN =
      Path.of(
          "src/test/resources/golden-production/" + ProductionTranslation.RULES_CASE + ".out.json");

  @Test
  void snapshotMatchesGoldenFile() throws Exception {
    String actual = EnvoyResourcesJson.print(ProductionTranslation.translate());
    if (UPDATE) {
      Files.createDirectories(GOLDEN.getParent());
      Files.writeString(GOLDEN, actual);
    }
    assertThat(GOLDEN).as("golden file %s (run with -Dgolden.update=true)", GOLDEN).exists();
    assertThat(actual)
        .isEqualTo(Files.readString(GOLDEN))
        .contains("\"name\": \"envoy.access_loggers.http_grpc\"")
        .contains("\"name\": \"envoy.filters.http.ratelimit\"")
        .contains("\"name\": \"tollgate.access.deny\"")
        .contains("\"name\": \"tollgate.access.allow\"");
  }
}
