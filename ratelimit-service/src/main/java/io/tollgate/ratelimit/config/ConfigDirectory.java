package io.tollgate.ratelimit.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The configuration files of a directory ({@code
 * $RUNTIME_ROOT/$RUNTIME_SUBDIRECTORY/$RUNTIME_APPDIRECTORY}), read recursively in name order. Each
 * file is named in errors by its path relative to the directory. A single file can stand in for a
 * directory (the {@code validate} command).
 */
public final class ConfigDirectory {

  private final Path root;
  private final boolean ignoreDotFiles;

  public ConfigDirectory(Path root, boolean ignoreDotFiles) {
    this.root = root;
    this.ignoreDotFiles = ignoreDotFiles;
  }

  public Path root() {
    return root;
  }

  /** The files as they are now, name and content. A missing directory holds no files. */
  public List<ConfigFile> files() {
    if (Files.isRegularFile(root)) {
      return List.of(read(root, root.getFileName().toString()));
    }
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<ConfigFile> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
        String relative = root.relativize(p).toString();
        if (ignoreDotFiles && isDotPath(relative)) {
          continue;
        }
        out.add(read(p, relative));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    return out;
  }

  /** Parses every file; the first error names its file. */
  public List<ConfigDocument> documents(YamlConfigReader reader) {
    return files().stream().map(f -> reader.read(f.name(), f.content())).toList();
  }

  private static boolean isDotPath(String relative) {
    for (String part : relative.split("/")) {
      if (part.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static ConfigFile read(Path p, String name) {
    try {
      return new ConfigFile(name, Files.readString(p, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    }
  }

  /** One file: its name relative to the directory and its text. */
  public record ConfigFile(String name, String content) {}
}
