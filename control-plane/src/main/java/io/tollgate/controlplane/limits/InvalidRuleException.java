package io.tollgate.controlplane.limits;

import java.util.List;
import java.util.stream.Collectors;

/** Submitted rules were rejected; nothing was stored. Maps to HTTP 400. */
public class InvalidRuleException extends RuntimeException {

  private final transient List<RuleViolation> violations;

  public InvalidRuleException(List<RuleViolation> violations) {
    super(violations.stream().map(RuleViolation::toString).collect(Collectors.joining("; ")));
    this.violations = List.copyOf(violations);
  }

  public InvalidRuleException(String field, String message) {
    this(List.of(new RuleViolation(field, message)));
  }

  public List<RuleViolation> violations() {
    return violations;
  }
}
