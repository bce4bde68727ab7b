package io.tollgate.controlplane.limits;

/**
 * One thing wrong with submitted input.
 *
 * @param field where, as a dotted path with indexes ({@code match.pathRegex}, {@code by[1]}); empty
 *     for the document as a whole
 * @param message what is wrong, for a person
 */
public record RuleViolation(String field, String message) {

  @Override
  public String toString() {
    return field.isEmpty() ? message : field + ": " + message;
  }
}
