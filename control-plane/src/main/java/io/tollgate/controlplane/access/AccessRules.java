package io.tollgate.controlplane.access;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The entries in force: the config file's, and the REST API's whose names the file does not declare
 * (the file wins for the names it declares), sorted by name.
 */
public final class AccessRules {

  private AccessRules() {}

  public static List<AccessRule> effective(List<AccessRule> file, List<AccessRule> rest) {
    Set<String> fileNames = new HashSet<>();
    file.forEach(r -> fileNames.add(r.name()));
    return Stream.concat(file.stream(), rest.stream().filter(r -> !fileNames.contains(r.name())))
        .sorted(Comparator.comparing(AccessRule::name))
        .toList();
  }
}
