package io.tollgate.controlplane.configfile;

import java.util.List;

/** A configuration file that does not parse or validate; each problem names the file and key. */
public final class InvalidConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public InvalidConfigException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** One message per problem, e.g. {@code tollgate.yaml: routes[1].upstream: unknown upstream}. */
  public List<String> problems() {
    return problems;
  }
}
