package io.tollgate.ratelimit.config;

import io.tollgate.referenceconfig.ConfigDocument;
import io.tollgate.referenceconfig.ConfigException;
import io.tollgate.referenceconfig.ReferenceYamlReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
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

  private static boolean isDotPath(String relative) {
    for (String part : relative.split("/")) {
      if (part.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /** A file that cannot be read is kept, with its error, so loading it fails and is counted. */
  private static ConfigFile read(Path p, String name) {
    try {
      return new ConfigFile(name, Files.readAllBytes(p), "");
    } catch (IOException e) {
      return new ConfigFile(name, new byte[0], "cannot read file: " + describe(e));
    }
  }

  private static String describe(IOException e) {
    return e instanceof AccessDeniedException
        ? "permission denied"
        : String.valueOf(e.getMessage());
  }

  /**
   * One file: its name relative to the directory, its bytes, and why it could not be read (empty
   * when it could).
   */
  public record ConfigFile(String name, byte[] content, String readError) {

    /** Parses the file; an unreadable or undecodable one is a {@link ConfigException}. */
    public ConfigDocument parse(ReferenceYamlReader reader) {
      if (!readError.isEmpty()) {
        throw new ConfigException(name, readError);
      }
      return reader.read(name, content);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ConfigFile f
          && name.equals(f.name)
          && Arrays.equals(content, f.content)
          && readError.equals(f.readError);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, Arrays.hashCode(content), readError);
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
