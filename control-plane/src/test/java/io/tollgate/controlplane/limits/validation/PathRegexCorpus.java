package io.tollgate.controlplane.limits.validation;

import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.TestRules;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code re2/program-size-corpus.tsv}: path regexes around Envoy's RE2 program-size limit. */
public final class PathRegexCorpus {

  /**
   * One entry.
   *
   * @param pattern a rule's {@code match.pathRegex}
   * @param envoyAccepts what Envoy 1.40 does with the gate regex the translator sends for it
   * @param validatorAccepts what {@link LimitRuleValidator} says
   */
  public record Entry(String pattern, boolean envoyAccepts, boolean validatorAccepts) {
    @Override
    public String toString() {
      return pattern;
    }
  }

  private PathRegexCorpus() {}

  public static List<Entry> entries() throws IOException {
    try (InputStream in =
        PathRegexCorpus.class.getResourceAsStream("/re2/program-size-corpus.tsv")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.startsWith("#") && !line.isBlank())
          .map(
              line -> {
                String[] cells = line.split("\t");
                return new Entry(cells[0], verdict(cells[1]), verdict(cells[2]));
              })
          .toList();
    }
  }

  private static boolean verdict(String cell) {
    return switch (cell) {
      case "accept" -> true;
      case "reject" -> false;
      default -> throw new IllegalArgumentException("accept or reject, not " + cell);
    };
  }

  /** A rule whose only condition is {@code pathRegex}. */
  public static LimitRule rule(String pathRegex) {
    return TestRules.rule("corpus").pathRegex(pathRegex).byIp().perMinute(5).build();
  }

  /** Whether the validator accepts the rule's {@code match.pathRegex}. */
  public static boolean validatorAccepts(String pathRegex) {
    return LimitRuleValidator.validate(rule(pathRegex)).stream()
        .noneMatch(v -> v.field().equals("match.pathRegex"));
  }
}
