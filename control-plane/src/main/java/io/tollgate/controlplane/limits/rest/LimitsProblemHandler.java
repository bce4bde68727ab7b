package io.tollgate.controlplane.limits.rest;

import io.tollgate.controlplane.limits.InvalidRuleException;
import io.tollgate.controlplane.limits.RuleViolation;
import io.tollgate.controlplane.limits.store.LimitsProblem;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.TransactionException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * RFC 9457 problem details for the limits API. Each carries {@code field} (the first field at
 * fault) and {@code errors} (every field and message), so a client can point at its mistake.
 */
// The access rules' API (io.tollgate.controlplane.access.rest) and the routing API
// (io.tollgate.controlplane.routing.rest) answer their problems the same way.
@RestControllerAdvice(
    assignableTypes = LimitRulesController.class,
    basePackages = {
      "io.tollgate.controlplane.access.rest",
      "io.tollgate.controlplane.routing.rest"
    })
class LimitsProblemHandler {

  private static final Logger log = LoggerFactory.getLogger(LimitsProblemHandler.class);

  @ExceptionHandler(InvalidRuleException.class)
  ResponseEntity<ProblemDetail> invalid(InvalidRuleException e) {
    return problem(HttpStatus.BAD_REQUEST, "invalid input", e.violations());
  }

  @ExceptionHandler(LimitsProblem.class)
  ResponseEntity<ProblemDetail> refused(LimitsProblem e) {
    return problem(
        e.status(),
        e.status().getReasonPhrase(),
        List.of(new RuleViolation(e.field(), e.getMessage())));
  }

  /** A query parameter missing or of the wrong type ({@code revision=abc}, {@code limit=x}). */
  @ExceptionHandler(MissingServletRequestParameterException.class)
  ResponseEntity<ProblemDetail> missingParameter(MissingServletRequestParameterException e) {
    return problem(
        HttpStatus.BAD_REQUEST,
        "missing parameter",
        List.of(new RuleViolation(e.getParameterName(), "is required")));
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<ProblemDetail> malformedParameter(MethodArgumentTypeMismatchException e) {
    return problem(
        HttpStatus.BAD_REQUEST,
        "malformed parameter",
        List.of(new RuleViolation(e.getName(), "must be an integer, not '" + e.getValue() + "'")));
  }

  @ExceptionHandler(OptimisticLockingFailureException.class)
  ResponseEntity<ProblemDetail> raced(OptimisticLockingFailureException e) {
    return problem(
        HttpStatus.PRECONDITION_FAILED,
        "concurrent change",
        List.of(new RuleViolation("If-Match", "the rule changed meanwhile; GET it and retry")));
  }

  /** Database down or failing: nothing was applied (the transaction rolled back). */
  @ExceptionHandler({DataAccessException.class, TransactionException.class})
  ResponseEntity<ProblemDetail> unavailable(RuntimeException e) {
    log.warn("limits API: database unavailable: {}", e.toString());
    return problem(
        HttpStatus.SERVICE_UNAVAILABLE,
        "database unavailable",
        List.of(new RuleViolation("", "the rule store is unavailable; nothing was changed")));
  }

  private static ResponseEntity<ProblemDetail> problem(
      HttpStatus status, String title, List<RuleViolation> violations) {
    ProblemDetail body =
        ProblemDetail.forStatusAndDetail(
            status, String.join("; ", violations.stream().map(RuleViolation::toString).toList()));
    body.setTitle(title);
    body.setProperty("field", violations.isEmpty() ? "" : violations.get(0).field());
    body.setProperty(
        "errors",
        violations.stream().map(v -> Map.of("field", v.field(), "message", v.message())).toList());
    return ResponseEntity.status(status).body(body);
  }
}
