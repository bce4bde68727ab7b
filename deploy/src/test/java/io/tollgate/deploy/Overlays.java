package io.tollgate.deploy;

import io.tollgate.testsupport.Binaries;
import io.tollgate.testsupport.Scratch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders k8s/ with {@code kubectl kustomize}, from a scratch copy of the tree: the dev overlay's
 * {@code make-secrets.sh} writes its throwaway secrets there, never into the repository.
 */
final class Overlays implements AutoCloseable {

  /** One rendered kustomization: its directory under k8s/ and every object it produced. */
  record Rendered(String name, Path directory, String yaml, List<Map<String, Object>> objects) {}

  private final Path copy;

  Overlays() {
    copy = Scratch.create("k8s");
    Scratch.copyTree(Binaries.repoRoot().resolve("k8s"), copy);
    Path makeSecrets = copy.resolve("overlays/dev/make-secrets.sh");
    Scratch.delete(copy.resolve("overlays/dev/secrets"));
    Commands.run(List.of("bash", makeSecrets.toString())).requireSuccess();
  }

  /** {@code base} and every directory under {@code overlays/}, as paths relative to k8s/. */
  List<String> names() {
    List<String> names = new ArrayList<>(List.of("base"));
    try (Stream<Path> dirs = Files.list(copy.resolve("overlays"))) {
      dirs.filter(Files::isDirectory)
          .map(d -> "overlays/" + d.getFileName())
          .sorted()
          .forEach(names::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  /** The overlays a user deploys (every one under overlays/). */
  List<String> deployable() {
    return names().stream().filter(n -> n.startsWith("overlays/")).toList();
  }

  Rendered render(String name) {
    Path dir = copy.resolve(name);
    String yaml =
        Commands.run(List.of("kubectl", "kustomize", dir.toString())).requireSuccess().output();
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object doc : new Yaml(new LoaderOptions()).loadAll(yaml)) {
      if (doc instanceof Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) m;
        objects.add(object);
      }
    }
    return new Rendered(name, Binaries.repoRoot().resolve("k8s").resolve(name), yaml, objects);
  }

  @Override
  public void close() {
    Scratch.delete(copy);
  }
}
