package io.tollgate.controlplane.access.validation;

import io.tollgate.controlplane.access.AccessHeader;
import io.tollgate.controlplane.access.AccessMatch;
import io.tollgate.controlplane.access.AccessPath;
import io.tollgate.controlplane.access.AccessRule;
import io.tollgate.controlplane.limits.Cidr;
import io.tollgate.controlplane.limits.InvalidRuleException;
import io.tollgate.controlplane.limits.RuleViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Checks an access entry completely before anything is stored or translated, naming the field of
 * each problem. What passes translates into an RBAC policy Envoy accepts.
 */
public final class AccessRuleValidator {

  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]{1,128}");
  private static final Pattern METHOD = Pattern.compile("[A-Z][A-Z_-]{0,31}");
  private static final Pattern PATH = Pattern.compile("/[\\x21-\\x7e]{0,1023}");
  private static final Pattern VALUE = Pattern.compile("[\\x20-\\x7e]{0,1024}");

  /**
   * Names the REST API or Envoy already gives a meaning: sub-paths of {@code /api/v1/access-rules},
   * and {@code none}, the policy name Envoy reports when no allow entry matched.
   */
  public static final Set<String> RESERVED_NAMES = Set.of("history", "none");

  /** Conditions per list: an entry is a list of a few ranges or paths, not a database. */
  public static final int MAX_CONDITIONS = 64;

  private AccessRuleValidator() {}

  /**
   * @throws InvalidRuleException with every problem found
   */
  public static void requireValid(AccessRule rule) {
    List<RuleViolation> violations = validate(rule, "");
    if (!violations.isEmpty()) {
      throw new InvalidRuleException(violations);
    }
  }

  /**
   * @param prefix prepended to every field name ({@code access[2].})
   */
  public static List<RuleViolation> validate(AccessRule rule, String prefix) {
    List<RuleViolation> out = new ArrayList<>();
    String name = rule.name();
    if (name == null) {
      out.add(new RuleViolation(prefix + "name", "is required"));
    } else if (!NAME.matcher(name).matches()) {
      out.add(
          new RuleViolation(
              prefix + "name",
              "must be 1-63 lower-case letters, digits and inner hyphens, not '" + name + "'"));
    } else if (RESERVED_NAMES.contains(name)) {
      out.add(new RuleViolation(prefix + "name", "is reserved: one of " + RESERVED_NAMES));
    }
    if (rule.action() == null) {
      out.add(new RuleViolation(prefix + "action", "is required: deny or allow"));
    }
    AccessMatch match = rule.match();
    if (match == null || match.noCondition()) {
      out.add(
          new RuleViolation(
              prefix + "match",
              "needs at least one of cidrs, paths, methods, headers (an entry for every request"
                  + " is a mistake, not a list)"));
      return out;
    }
    String m = prefix + "match.";
    each(out, m + "cidrs", match.cidrs(), (field, cidr) -> cidr(out, field, cidr));
    each(out, m + "paths", match.paths(), (field, path) -> path(out, field, path));
    each(
        out,
        m + "methods",
        match.methods(),
        (field, method) -> {
          if (!METHOD.matcher(method).matches()) {
            out.add(new RuleViolation(field, "must be an upper-case method such as GET"));
          }
        });
    each(out, m + "headers", match.headers(), (field, header) -> header(out, field, header));
    return out;
  }

  private static <T> void each(
      List<RuleViolation> out, String field, List<T> list, BiConsumer<String, T> check) {
    if (list.size() > MAX_CONDITIONS) {
      out.add(new RuleViolation(field, "at most " + MAX_CONDITIONS + " entries"));
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      String at = field + "[" + i + "]";
      if (list.get(i) == null) {
        out.add(new RuleViolation(at, "must not be null"));
      } else {
        check.accept(at, list.get(i));
      }
    }
  }

  private static void cidr(List<RuleViolation> out, String field, String text) {
    try {
      Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      out.add(new RuleViolation(field, e.getMessage()));
    }
  }

  private static void path(List<RuleViolation> out, String field, AccessPath path) {
    if ((path.exact() == null) == (path.prefix() == null)) {
      out.add(new RuleViolation(field, "needs exactly one of exact, prefix"));
      return;
    }
    String value = path.exact() != null ? path.exact() : path.prefix();
    String key = field + (path.exact() != null ? ".exact" : ".prefix");
    if (!PATH.matcher(value).matches()) {
      out.add(
          new RuleViolation(
              key, "must start with / and be at most 1024 printable characters, no spaces"));
    } else if (value.contains("?") || value.contains("#")) {
      out.add(new RuleViolation(key, "is compared without the query string: drop ? and #"));
    }
  }

  private static void header(List<RuleViolation> out, String field, AccessHeader header) {
    if (header.name() == null) {
      out.add(new RuleViolation(field + ".name", "is required"));
    } else if (!HEADER_NAME.matcher(header.name()).matches()) {
      out.add(
          new RuleViolation(
              field + ".name", "must be a lower-case header name (pseudo-headers excluded)"));
    }
    if ((header.exact() == null) == (header.present() == null)) {
      out.add(new RuleViolation(field, "needs exactly one of exact, present"));
    } else if (header.present() != null && !header.present()) {
      out.add(
          new RuleViolation(
              field + ".present", "must be true (an absent header cannot be matched)"));
    } else if (header.exact() != null && !VALUE.matcher(header.exact()).matches()) {
      out.add(
          new RuleViolation(field + ".exact", "must be at most 1024 printable ASCII characters"));
    }
  }
}
