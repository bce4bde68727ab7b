package io.tollgate.controlplane.regex;

import java.util.List;

/**
 * The regexes a rule's gates send Envoy. One place for both users: the translator emits them, and
 * the validator checks exactly these strings against Envoy's limits before a rule is stored (a
 * rejected regex would block the whole route configuration). Pure.
 */
public final class GateRegexes {

  /** Lets the {@code :path} header (which carries the query string) still match a path gate. */
  private static final String OPTIONAL_QUERY = "(?:\\?.*)?";

  private GateRegexes() {}

  /** {@code :path} is exactly {@code path}, with or without a query string. */
  public static String exactPath(String path) {
    return EnvoyRegex.quote(path) + OPTIONAL_QUERY;
  }

  /** {@code :path} matches {@code regex} as a whole, with or without a query string. */
  public static String pathRegex(String regex) {
    return "(?:" + regex + ")" + OPTIONAL_QUERY;
  }

  /** {@code :method} is one of {@code methods}. */
  public static String methods(List<String> methods) {
    return String.join("|", methods.stream().map(EnvoyRegex::quote).toList());
  }
}
