package io.tollgate.testsupport;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the real binaries are. The build's scripts install what is missing ({@code
 * scripts/deps.sh}); this class only finds them and says clearly which one is absent.
 */
public final class Binaries {

  private Binaries() {}

  /** The repository root: the nearest ancestor of the working directory holding {@code mvnw}. */
  public static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("mvnw"))) {
        return p;
      }
    }
    throw new IllegalStateException("no mvnw above " + dir);
  }

  /** Envoy from PATH, else the pinned PyPI wheel in the repository's {@code .venv}. */
  public static Path envoy() {
    return onPath("envoy")
        .or(() -> under(repoRoot().resolve(".venv"), "envoy/_bin/envoy"))
        .orElseThrow(() -> missing("envoy", "envoy/install-envoy.sh"));
  }

  public static Path redisServer() {
    return onPath("redis-server").orElseThrow(() -> missing("redis-server", "scripts/deps.sh"));
  }

  public static Path prometheus() {
    return onPath("prometheus")
        .or(() -> existing(Path.of("/usr/bin/prometheus")))
        .orElseThrow(() -> missing("prometheus", "scripts/deps.sh test"));
  }

  public static Path nginx() {
    return onPath("nginx")
        .or(() -> existing(Path.of("/usr/sbin/nginx")))
        .orElseThrow(() -> missing("nginx", "scripts/deps.sh"));
  }

  /**
   * A PostgreSQL server tool ({@code initdb}, {@code pg_ctl}, {@code postgres}), newest version.
   */
  public static Path postgres(String tool) {
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        Optional<Path> found =
            versions
                .map(v -> v.resolve("bin").resolve(tool))
                .filter(Files::isExecutable)
                .max(Comparator.comparing(p -> versionOf(p.getParent().getParent())));
        if (found.isPresent()) {
          return found.get();
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return onPath(tool).orElseThrow(() -> missing(tool, "scripts/deps.sh"));
  }

  /** The java launcher of the JVM running the tests, so child JVMs match it. */
  public static Path java() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  private static int versionOf(Path dir) {
    try {
      return Integer.parseInt(dir.getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static Optional<Path> existing(Path p) {
    return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
  }

  private static Optional<Path> under(Path root, String suffix) {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    // toRealPath: a worktree's .venv is often a symlink, and walk() does not descend into one.
    try (Stream<Path> files = Files.walk(root.toRealPath())) {
      return files.filter(p -> p.endsWith(suffix) && Files.isExecutable(p)).findFirst();
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }

  private static IllegalStateException missing(String what, String installer) {
    return new IllegalStateException(what + " not found; run `" + installer + "` (make test does)");
  }
}
