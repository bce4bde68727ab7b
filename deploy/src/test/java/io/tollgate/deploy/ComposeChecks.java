package io.tollgate.deploy;

import io.tollgate.deploy.ManifestCrossCheckIT.Violations;
import io.tollgate.deploy.Workloads.Container;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Rules only compose has: healthchecks under /bin/sh, published ports, the build context. */
final class ComposeChecks {

  /** Syntax /bin/sh (dash in the images) does not have: such a healthcheck always fails. */
  private static final List<String> BASH_ONLY = List.of("/dev/tcp/", "/dev/udp/", "[[", "<<<");

  private final Path root;
  private final Violations violations;

  ComposeChecks(Path root, Violations violations) {
    this.root = root;
    this.violations = violations;
  }

  void check(List<Container> services) {
    Set<String> healthchecked =
        Set.copyOf(
            services.stream()
                .filter(s -> s.spec().containsKey("healthcheck"))
                .map(Container::workloadName)
                .toList());
    for (Container s : services) {
      List<String> test = Workloads.strings(CodeContract.path(s.spec(), "healthcheck.test"));
      if (!test.isEmpty() && test.get(0).equals("CMD-SHELL")) {
        String shell = String.join(" ", test.subList(1, test.size()));
        for (String syntax : BASH_ONLY) {
          violations.require(
              !shell.contains(syntax),
              s.where(),
              "healthcheck uses " + syntax + " under CMD-SHELL (/bin/sh): it always fails");
        }
      }
      for (String published : Workloads.strings(s.spec().get("ports"))) {
        String port = Workloads.interpolate(published);
        violations.require(
            port.startsWith("127.0.0.1:"),
            s.where(),
            "publishes " + port + " on every host interface, not 127.0.0.1");
      }
      Object dependsOn = s.spec().get("depends_on");
      if (dependsOn instanceof Map<?, ?> deps) {
        deps.forEach(
            (name, condition) ->
                violations.require(
                    !"service_healthy".equals(Workloads.map(condition).get("condition"))
                        || healthchecked.contains(String.valueOf(name)),
                    s.where(),
                    "waits for " + name + " to be healthy, which has no healthcheck"));
      }
    }
    Path dockerignore = root.resolve(".dockerignore");
    String ignored = Files.isRegularFile(dockerignore) ? CodeContract.read(dockerignore) : "";
    List<String> lines = ignored.lines().map(l -> l.trim().replaceAll("^/|/$", "")).toList();
    boolean allowList = lines.contains("**") || lines.contains("*");
    for (String dir : List.of(".git", ".venv", ".run")) {
      boolean excluded =
          lines.contains(dir)
              || (allowList && lines.stream().noneMatch(l -> l.startsWith("!" + dir)));
      violations.require(
          excluded,
          "compose.yaml build context",
          ".dockerignore does not exclude " + dir + " (it would ship in every image build)");
    }
  }
}
