package io.tollgate.controlplane.limits;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a rule comes from. The config file owns the names it declares: the REST API cannot change
 * or delete those rules, and a file rule replaces a REST rule of the same name.
 */
public enum RuleSource {
  @JsonProperty("rest")
  REST,
  @JsonProperty("file")
  FILE;

  public String column() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static RuleSource ofColumn(String column) {
    return valueOf(column.toUpperCase(java.util.Locale.ROOT));
  }
}
