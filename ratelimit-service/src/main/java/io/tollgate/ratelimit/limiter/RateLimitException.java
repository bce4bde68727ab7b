package io.tollgate.ratelimit.limiter;

import io.grpc.Status;

/**
 * A call the service answers with an error instead of a decision: a malformed request, no
 * configuration yet, or a failed store under the reference's failure mode.
 */
public final class RateLimitException extends RuntimeException {

  private final transient Status status;
  private final boolean storeFailure;

  public RateLimitException(Status status, boolean storeFailure) {
    super(status.getDescription(), status.getCause(), false, false);
    this.status = status;
    this.storeFailure = storeFailure;
  }

  public Status status() {
    return status;
  }

  /** True when the store failed (the reference's {@code redis_error}), else a service error. */
  public boolean storeFailure() {
    return storeFailure;
  }
}
