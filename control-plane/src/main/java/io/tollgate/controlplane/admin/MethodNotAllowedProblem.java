package io.tollgate.controlplane.admin;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * 405 with {@code Allow} for a method a path does not declare (any method, {@code QUERY} included:
 * {@link AdminSecurityConfig} lets unknown methods through the firewall so they reach this answer
 * instead of a bare 400). Global for the same reason as {@link UnsupportedMediaTypeProblem}: Spring
 * raises it while choosing the handler.
 */
@RestControllerAdvice
class MethodNotAllowedProblem {

  @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
  ResponseEntity<ProblemDetail> notAllowed(HttpRequestMethodNotSupportedException e) {
    Set<HttpMethod> supported = e.getSupportedHttpMethods();
    String allow =
        supported == null
            ? ""
            : supported.stream()
                .map(HttpMethod::name)
                .collect(Collectors.toCollection(TreeSet::new))
                .stream()
                .collect(Collectors.joining(", "));
    return ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED)
        .header(HttpHeaders.ALLOW, allow)
        .body(
            ApiProblems.of(
                HttpStatus.METHOD_NOT_ALLOWED,
                "method",
                e.getMethod() + " is not allowed here; allowed: " + allow));
  }
}
