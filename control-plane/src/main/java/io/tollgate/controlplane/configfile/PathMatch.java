package io.tollgate.controlplane.configfile;

/** How a route matches the request path (without the query string). */
public sealed interface PathMatch {

  /** The path equals {@code path}. */
  record Exact(String path) implements PathMatch {}

  /** The path starts with {@code prefix}. */
  record Prefix(String prefix) implements PathMatch {}

  /** The whole path matches the RE2 {@code regex}. */
  record Regex(String regex) implements PathMatch {}
}
