package io.tollgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.testsupport.Binaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kustomization under k8s/ renders with {@code kubectl kustomize}, and every object it
 * renders is valid against the Kubernetes 1.30 schemas, strictly (an unknown or misplaced field
 * fails), offline ({@code kubernetes-validate}, installed into .venv/ by {@code scripts/deps.sh
 * test}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KustomizeValidationIT {

  static final String KUBERNETES_VERSION = "1.30.0";

  // One instance for the class (PER_CLASS): rendered once, closed after the last test.
  @AutoClose private final Overlays overlays = new Overlays();
  @TempDir Path dir;

  @Test
  void everyKustomizationRendersObjectsValidAgainstTheSchemas() throws IOException {
    assertThat(overlays.deployable()).contains("overlays/dev", "overlays/prod");
    for (String name : overlays.names()) {
      Overlays.Rendered rendered = overlays.render(name);
      assertThat(rendered.objects()).as(name + " renders objects").isNotEmpty();
      Path file = dir.resolve(name.replace('/', '-') + ".yaml");
      Files.writeString(file, rendered.yaml());
      Commands.Result result = validate(file);
      assertThat(result.exitCode()).as(name + ":\n" + result.output()).isZero();
      assertThat(result.output().lines().filter(l -> l.contains(" passed for resource ")))
          .as(name + ": one 'passed' per object:\n" + result.output())
          .hasSize(rendered.objects().size());
    }
  }

  /** The validator is no rubber stamp: an unknown field and a wrong type fail. */
  @Test
  void theValidatorRejectsWhatKubernetesWould() throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: x }
        spec:
          selector: { matchLabels: { app: x } }
          template:
            metadata: { labels: { app: x } }
            spec:
              containers:
                - name: x
                  image: x
                  livenessProbe: { httpGet: { path: /, port: http }, initialDelay: 3 }
                  resources: { limits: { memory: [1Gi] } }
        """);
    Commands.Result result = validate(bad);
    assertThat(result.exitCode()).as(result.output()).isNotZero();
    assertThat(result.output()).contains("initialDelay");
  }

  static Commands.Result validate(Path file) {
    Path validator = Binaries.repoRoot().resolve(".venv/bin/kubernetes-validate");
    assertThat(validator)
        .as("kubernetes-validate (scripts/deps.sh test installs it)")
        .isExecutable();
    return Commands.run(
        List.of(validator.toString(), "--strict", "-k", KUBERNETES_VERSION, file.toString()),
        Map.of(),
        Duration.ofMinutes(2));
  }
}
