package io.tollgate.controlplane.limits.validation;

import io.tollgate.controlplane.limits.Algorithm;
import io.tollgate.controlplane.limits.Cidr;
import io.tollgate.controlplane.limits.CountedBy;
import io.tollgate.controlplane.limits.InvalidRuleException;
import io.tollgate.controlplane.limits.Limit;
import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.Match;
import io.tollgate.controlplane.limits.RuleViolation;
import io.tollgate.controlplane.regex.EnvoyRegex;
import io.tollgate.controlplane.regex.GateRegexes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Checks a rule before it is stored or translated, and names the field of every problem. Pure: no
 * I/O, no state. Bounds keep one rule's Envoy and rate-limit configuration small.
 */
public final class LimitRuleValidator {

  public static final long MAX_REQUESTS = 1_000_000_000L;
  public static final long MAX_BURST = 1_000_000_000L;
  public static final int MAX_PATH_LENGTH = 1024;
  public static final int MAX_HEADER_VALUE_LENGTH = 1024;
  public static final int MAX_LIST_SIZE = 32;

  private static final java.util.regex.Pattern NAME =
      java.util.regex.Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  // RFC 9110 token, lower case because HTTP/2 and Envoy carry header names in lower case.
  private static final java.util.regex.Pattern HEADER_NAME =
      java.util.regex.Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]{1,128}");
  private static final java.util.regex.Pattern METHOD =
      java.util.regex.Pattern.compile("[A-Z][A-Z_-]{0,31}");
  private static final java.util.regex.Pattern PRINTABLE =
      java.util.regex.Pattern.compile("[\\x21-\\x7e]*");

  /** Names that are sub-resources of {@code /api/v1/limits}, so no rule may take them. */
  public static final Set<String> RESERVED_NAMES = Set.of("export", "import", "history", "status");

  private LimitRuleValidator() {}

  /** The problems of one rule; empty when it is valid. */
  public static List<RuleViolation> validate(LimitRule rule) {
    return validate(rule, "");
  }

  /** As {@link #validate(LimitRule)}, with every field prefixed (e.g. {@code rules[2].}). */
  public static List<RuleViolation> validate(LimitRule rule, String prefix) {
    List<RuleViolation> out = new ArrayList<>();
    checkName(rule.name(), prefix, out);
    checkMatch(rule.match(), prefix + "match.", out);
    checkBy(rule.by(), prefix + "by", out);
    checkLimit(rule.limit(), prefix + "limit", out);
    checkApproximateBy(rule, prefix + "by", out);
    checkAlgorithm(rule, prefix, out);
    return out;
  }

  /**
   * A burst is a token bucket, which neither the sliding window nor the approximate tier (Envoy's
   * quota buckets, assigned per fixed window) can also be; nor can the approximate tier slide.
   */
  private static void checkAlgorithm(LimitRule rule, String prefix, List<RuleViolation> out) {
    if (rule.bursts() && rule.algorithm() == Algorithm.SLIDING_WINDOW) {
      out.add(
          new RuleViolation(
              prefix + "limit.burst",
              "a burst is a token bucket and cannot be combined with algorithm sliding_window:"
                  + " leave one of them out"));
    }
    if (rule.bursts() && rule.approximate()) {
      out.add(
          new RuleViolation(
              prefix + "limit.burst",
              "the approximate tier has no token bucket (its quota buckets are assigned per"
                  + " fixed window): use accuracy exact"));
    }
    if (rule.approximate() && rule.algorithm() == Algorithm.SLIDING_WINDOW) {
      out.add(
          new RuleViolation(
              prefix + "algorithm",
              "the approximate tier counts fixed windows only: use accuracy exact"));
    }
  }

  /**
   * The quota filter reads a request's path from {@code :path}, query string included, so a
   * per-path bucket would let every query string count apart: refused rather than weaker.
   */
  private static void checkApproximateBy(LimitRule rule, String field, List<RuleViolation> out) {
    if (!rule.approximate()) {
      return;
    }
    for (int i = 0; i < rule.by().size(); i++) {
      if ("path".equals(rule.by().get(i))) {
        out.add(
            new RuleViolation(
                field + "[" + i + "]",
                "an approximate rule cannot count by path (Envoy's quota buckets see the path"
                    + " only with its query string): use accuracy exact"));
      }
    }
  }

  /** Throws {@link InvalidRuleException} when the rule is invalid. */
  public static LimitRule requireValid(LimitRule rule) {
    List<RuleViolation> violations = validate(rule);
    if (!violations.isEmpty()) {
      throw new InvalidRuleException(violations);
    }
    return rule;
  }

  private static void checkName(String name, String prefix, List<RuleViolation> out) {
    if (name == null) {
      out.add(new RuleViolation(prefix + "name", "is required"));
    } else if (!NAME.matcher(name).matches()) {
      out.add(
          new RuleViolation(
              prefix + "name",
              "must be 1-63 lower-case letters, digits or '-', starting and ending with a letter"
                  + " or digit"));
    } else if (RESERVED_NAMES.contains(name)) {
      out.add(new RuleViolation(prefix + "name", "is reserved: one of " + RESERVED_NAMES));
    }
  }

  private static void checkMatch(Match match, String prefix, List<RuleViolation> out) {
    long matchers =
        Stream.of(match.path(), match.pathPrefix(), match.pathRegex())
            .filter(v -> v != null)
            .count();
    if (matchers > 1) {
      out.add(
          new RuleViolation(
              prefix.substring(0, prefix.length() - 1),
              "at most one of path, pathPrefix, pathRegex (none matches every path)"));
    }
    if (checkPath(match.path(), prefix + "path", out)) {
      checkGate(GateRegexes.exactPath(match.path()), prefix + "path", out);
    }
    checkPath(match.pathPrefix(), prefix + "pathPrefix", out);
    if (match.pathRegex() != null) {
      checkRegex(match.pathRegex(), prefix + "pathRegex", out);
    }
    if (checkMethods(match.methods(), prefix + "methods", out) && !match.methods().isEmpty()) {
      checkGate(GateRegexes.methods(match.methods()), prefix + "methods", out);
    }
    checkHeaders(match.headers(), prefix + "headers", out);
    checkCidrs(match.sourceCidrs(), prefix + "sourceCidrs", out);
  }

  /** True when there is a path and it is valid. */
  private static boolean checkPath(String path, String field, List<RuleViolation> out) {
    if (path == null) {
      return false;
    }
    int before = out.size();
    if (!path.startsWith("/")) {
      out.add(new RuleViolation(field, "must start with '/'"));
    } else if (path.length() > MAX_PATH_LENGTH) {
      out.add(new RuleViolation(field, "must be at most " + MAX_PATH_LENGTH + " characters"));
    } else if (!PRINTABLE.matcher(path).matches() || path.contains("?") || path.contains("#")) {
      out.add(
          new RuleViolation(
              field,
              "must be printable ASCII without spaces, '?' or '#' (the query string is never"
                  + " part of the matched path)"));
    }
    return out.size() == before;
  }

  private static void checkRegex(String regex, String field, List<RuleViolation> out) {
    if (regex.isEmpty() || regex.length() > MAX_PATH_LENGTH) {
      out.add(new RuleViolation(field, "must be 1-" + MAX_PATH_LENGTH + " characters"));
      return;
    }
    // The regex alone first: wrapped into the gate, "a)|(b" would parse and mean something else.
    EnvoyRegex.syntaxProblem(regex)
        .ifPresentOrElse(
            problem -> out.add(new RuleViolation(field, problem)),
            () -> checkGate(GateRegexes.pathRegex(regex), field, out));
  }

  /**
   * Envoy rejects a route configuration holding a regex over its RE2 program-size limit, and with
   * it every other rule, so the regex the gate sends is checked, not only what the client wrote.
   */
  private static void checkGate(String gateRegex, String field, List<RuleViolation> out) {
    EnvoyRegex.problem(gateRegex, "the regex Envoy matches (with an optional query string)")
        .ifPresent(problem -> out.add(new RuleViolation(field, problem)));
  }

  /** True when the methods are valid. */
  private static boolean checkMethods(List<String> methods, String field, List<RuleViolation> out) {
    int before = out.size();
    checkSize(methods.size(), field, out);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < methods.size(); i++) {
      String method = methods.get(i);
      String at = field + "[" + i + "]";
      if (method == null || !METHOD.matcher(method).matches()) {
        out.add(new RuleViolation(at, "must be an upper-case HTTP method such as GET"));
      } else if (!seen.add(method)) {
        out.add(new RuleViolation(at, "duplicate method " + method));
      }
    }
    return out.size() == before;
  }

  private static void checkHeaders(
      Map<String, String> headers, String field, List<RuleViolation> out) {
    checkSize(headers.size(), field, out);
    headers.forEach(
        (name, value) -> {
          String at = field + "." + name;
          if (!HEADER_NAME.matcher(name).matches()) {
            out.add(new RuleViolation(at, headerNameMessage()));
          } else if (value == null
              || value.isEmpty()
              || value.length() > MAX_HEADER_VALUE_LENGTH
              || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            out.add(
                new RuleViolation(
                    at,
                    "value must be \"*\" (present) or 1-"
                        + MAX_HEADER_VALUE_LENGTH
                        + " characters without control characters"));
          }
        });
  }

  private static void checkCidrs(List<String> cidrs, String field, List<RuleViolation> out) {
    checkSize(cidrs.size(), field, out);
    Set<Cidr> seen = new HashSet<>();
    for (int i = 0; i < cidrs.size(); i++) {
      String at = field + "[" + i + "]";
      String text = cidrs.get(i);
      if (text == null) {
        out.add(new RuleViolation(at, "must not be null"));
        continue;
      }
      try {
        if (!seen.add(Cidr.parse(text))) {
          out.add(new RuleViolation(at, "duplicate range " + text));
        }
      } catch (IllegalArgumentException e) {
        out.add(new RuleViolation(at, e.getMessage()));
      }
    }
  }

  private static void checkBy(List<String> by, String field, List<RuleViolation> out) {
    checkSize(by.size(), field, out);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < by.size(); i++) {
      String at = field + "[" + i + "]";
      try {
        CountedBy dimension = CountedBy.parse(by.get(i));
        if (dimension instanceof CountedBy.Header header
            && !HEADER_NAME.matcher(header.name()).matches()) {
          out.add(new RuleViolation(at, headerNameMessage()));
        } else if (!seen.add(
            dimension instanceof CountedBy.Header header
                ? CountedBy.HEADER_PREFIX + header.name()
                : dimension.spelling())) {
          out.add(new RuleViolation(at, "duplicate dimension " + dimension.spelling()));
        }
      } catch (IllegalArgumentException e) {
        out.add(new RuleViolation(at, e.getMessage()));
      }
    }
  }

  private static void checkLimit(Limit limit, String field, List<RuleViolation> out) {
    if (limit == null) {
      out.add(new RuleViolation(field, "is required"));
      return;
    }
    if (limit.requests() == null) {
      out.add(new RuleViolation(field + ".requests", "is required"));
    } else if (limit.requests() < 0 || limit.requests() > MAX_REQUESTS) {
      out.add(
          new RuleViolation(field + ".requests", "must be between 0 (block) and " + MAX_REQUESTS));
    }
    if (limit.per() == null) {
      out.add(new RuleViolation(field + ".per", "is required: one of second, minute, hour, day"));
    }
    if (limit.burst() == null) {
      return;
    }
    if (limit.burst() < 0 || limit.burst() > MAX_BURST) {
      out.add(new RuleViolation(field + ".burst", "must be between 0 and " + MAX_BURST));
    } else if (limit.requests() != null && limit.requests() == 0) {
      out.add(
          new RuleViolation(
              field + ".burst",
              "a burst needs requests above 0 (the bucket refills at that rate); requests 0"
                  + " blocks"));
    }
  }

  private static void checkSize(int size, String field, List<RuleViolation> out) {
    if (size > MAX_LIST_SIZE) {
      out.add(new RuleViolation(field, "must have at most " + MAX_LIST_SIZE + " entries"));
    }
  }

  private static String headerNameMessage() {
    return "header name must be a lower-case HTTP token (letters, digits, -, _, ...)";
  }
}
