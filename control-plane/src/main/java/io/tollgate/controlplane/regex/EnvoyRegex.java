package io.tollgate.controlplane.regex;

import com.google.re2j.PatternSyntaxException;
import com.google.re2j.Re2ProgramSize;
import java.util.Optional;

/**
 * Whether Envoy will accept a regular expression, checked before anything is stored: RE2 syntax
 * (RE2/J parses as RE2 does) and the program-size limit Envoy enforces on every {@code safe_regex}
 * (runtime {@code re2.max_program_size.error_level}, default {@value #MAX_PROGRAM_SIZE}). Envoy
 * rejects the whole resource holding a regex over the limit, so one such regex would block every
 * other change to the same route configuration. Pure.
 */
public final class EnvoyRegex {

  /** Envoy's default {@code re2.max_program_size.error_level}. */
  public static final int MAX_PROGRAM_SIZE = 100;

  private EnvoyRegex() {}

  /**
   * The problem Envoy would have with {@code regex} (exactly as it will be sent), or empty.
   *
   * @param what how the message names the regex, e.g. "the path regex"
   */
  public static Optional<String> problem(String regex, String what) {
    int size;
    try {
      size = Re2ProgramSize.of(regex);
    } catch (PatternSyntaxException e) {
      return Optional.of(syntaxMessage(e));
    }
    if (size > MAX_PROGRAM_SIZE) {
      return Optional.of(
          "is too complex for Envoy: "
              + what
              + " compiles to an RE2 program of about "
              + size
              + " instructions, over Envoy's limit of "
              + MAX_PROGRAM_SIZE
              + " (re2.max_program_size.error_level); use fewer or smaller repetitions and"
              + " alternatives");
    }
    return Optional.empty();
  }

  /** The syntax problem Envoy's RE2 would have with {@code regex} alone, or empty. */
  public static Optional<String> syntaxProblem(String regex) {
    try {
      Re2ProgramSize.of(regex);
      return Optional.empty();
    } catch (PatternSyntaxException e) {
      return Optional.of(syntaxMessage(e));
    }
  }

  private static String syntaxMessage(PatternSyntaxException e) {
    return "is not a valid RE2 regular expression: " + e.getMessage();
  }

  /** Escapes RE2 metacharacters, so {@code literal} matches itself. */
  public static String quote(String literal) {
    StringBuilder out = new StringBuilder();
    for (char c : literal.toCharArray()) {
      if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }
}
