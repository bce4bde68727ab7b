package io.tollgate.controlplane.limits.store;

import org.springframework.http.HttpStatus;

/**
 * A request the rule store refuses for a reason other than invalid content: missing rule (404),
 * owned elsewhere or already there (409), stale or missing {@code If-Match} (412, 428).
 */
public class LimitsProblem extends RuntimeException {

  private final HttpStatus status;
  private final String field;

  public LimitsProblem(HttpStatus status, String field, String message) {
    super(message);
    this.status = status;
    this.field = field;
  }

  public HttpStatus status() {
    return status;
  }

  /** The field or header at fault ({@code name}, {@code If-Match}). */
  public String field() {
    return field;
  }

  public static LimitsProblem notFound(String name) {
    return new LimitsProblem(HttpStatus.NOT_FOUND, "name", "no limit rule named '" + name + "'");
  }
}
