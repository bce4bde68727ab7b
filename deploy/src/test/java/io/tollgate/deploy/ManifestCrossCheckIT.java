package io.tollgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.deploy.Workloads.Container;
import io.tollgate.testsupport.Binaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * compose.yaml and every k8s overlay, rendered, against the code: every variable a manifest sets is
 * one the code reads; every variable the topology needs is set; ports, probe paths, commands and
 * images exist; and the deployment rules of issue 10 hold. Each source is one test that lists all
 * its violations at once.
 *
 * <p>Which defect of issue 10 each rule catches (checked by reverting the fix locally):
 *
 * <ul>
 *   <li>TOLLGATE_RATELIMIT_ADDRESS unset (compose, k8s): {@link Topology} "needs
 *       TOLLGATE_RATELIMIT_ADDRESS" in {@link CommonChecks}; k8s also "headless".
 *   <li>xffNumTrustedHops 1 behind an L4 balancer: {@link KubernetesChecks#tollgateYaml}.
 *   <li>Envoy admin on 0.0.0.0: "ENVOY_ADMIN_ADDRESS ... loopback" in {@link CommonChecks}.
 *   <li>Redis without a password: "requirepass" and "REDIS_AUTH" in {@link CommonChecks}.
 *   <li>plaintext xDS/access-log port: the TLS variables in {@link CommonChecks}.
 *   <li>Envoy as root through a command bypassing the entrypoint: "command" in {@link
 *       CommonChecks}; runAsNonRoot and the rest of the securityContext, PDBs and NetworkPolicies
 *       in {@link KubernetesChecks}.
 *   <li>preStop with wget, liveness on /healthcheck, replicas beside an HPA, ENVOY_CONCURRENCY
 *       unset, no max connection age, Redis without probes or limits, MaxRAMPercentage=75 under
 *       small limits: {@link KubernetesChecks}.
 *   <li>the secret before the namespace, a manual ConfigMap, image names never built, compose
 *       building other names: {@link KubernetesChecks#namespaceAndReferences} and "image" in {@link
 *       CommonChecks}.
 *   <li>compose: the /dev/tcp healthcheck under /bin/sh, 8080 on all interfaces, no .dockerignore:
 *       {@link ComposeChecks}.
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManifestCrossCheckIT {

  private final Path root = Binaries.repoRoot();
  private final CodeContract code = new CodeContract(root);
  private Overlays overlays;

  @BeforeAll
  void render() {
    overlays = new Overlays();
  }

  @AfterAll
  void cleanUp() {
    overlays.close();
  }

  @TestFactory
  Stream<DynamicTest> everyManifestMatchesTheCode() {
    List<DynamicTest> tests = new ArrayList<>();
    tests.add(DynamicTest.dynamicTest("compose.yaml", this::compose));
    for (String name : overlays.deployable()) {
      tests.add(DynamicTest.dynamicTest("k8s/" + name, () -> kubernetes(name)));
    }
    return tests.stream();
  }

  private void compose() {
    Path file = root.resolve("compose.yaml");
    Map<String, Object> compose = CodeContract.yaml(file);
    List<Container> containers = Workloads.ofCompose("compose.yaml", compose);
    Violations violations = new Violations();
    Topology topology = Topology.ofCompose(containers);
    for (Container c : containers) {
      new CommonChecks(code, topology, violations).check(c);
    }
    new ComposeChecks(root, violations).check(containers);
    violations.assertNone("compose.yaml");
  }

  private void kubernetes(String name) {
    Overlays.Rendered rendered = overlays.render(name);
    List<Container> containers = Workloads.ofKubernetes("k8s/" + name, rendered.objects());
    assertThat(containers).as("k8s/" + name + " runs containers").isNotEmpty();
    Violations violations = new Violations();
    Topology topology = Topology.ofKubernetes(rendered.objects(), containers);
    for (Container c : containers) {
      new CommonChecks(code, topology, violations).check(c);
    }
    new KubernetesChecks(code, root, rendered, containers, topology, violations).check();
    violations.assertNone("k8s/" + name);
  }

  /** Every violation of one source, reported together. */
  static final class Violations {
    private final List<String> found = new ArrayList<>();

    void require(boolean ok, String where, String message) {
      if (!ok) {
        found.add(where + ": " + message);
      }
    }

    void assertNone(String source) {
      assertThat(found)
          .withFailMessage(
              "%s",
              source
                  + " disagrees with the code in "
                  + found.size()
                  + " place(s):\n  "
                  + String.join("\n  ", found)
                  + "\n")
          .isEmpty();
    }
  }

  static boolean exists(Path file) {
    return Files.isRegularFile(file);
  }
}
