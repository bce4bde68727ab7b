package io.tollgate.ratelimit.server;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tollgate.ratelimit.limiter.RateLimitException;
import io.tollgate.ratelimit.limiter.RateLimiter;
import io.tollgate.ratelimit.stats.ServiceStats;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code envoy.service.ratelimit.v3.RateLimitService}. The call completes from whichever thread
 * finishes the decision (the caller's for the in-memory store, Lettuce's for Redis); nothing here
 * blocks, so it runs on gRPC's event loop.
 */
public final class RateLimitGrpcService extends RateLimitServiceGrpc.RateLimitServiceImplBase {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimitGrpcService.class);

  private final RateLimiter limiter;
  private final ServiceStats stats;

  public RateLimitGrpcService(RateLimiter limiter, ServiceStats stats) {
    this.limiter = limiter;
    this.stats = stats;
  }

  @Override
  public void shouldRateLimit(
      RateLimitRequest request, StreamObserver<RateLimitResponse> responses) {
    long started = System.nanoTime();
    CompletableFuture<RateLimitResponse> decision;
    try {
      decision = limiter.shouldRateLimit(request);
    } catch (RuntimeException e) {
      decision = CompletableFuture.failedFuture(e);
    }
    decision.whenComplete(
        (response, error) -> {
          stats.request(System.nanoTime() - started);
          if (error == null) {
            responses.onNext(response);
            responses.onCompleted();
          } else {
            responses.onError(toStatus(error).asRuntimeException());
          }
        });
  }

  /** The status a failed decision is reported with; unexpected failures are logged. */
  static Status toStatus(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof RateLimitException e) {
      return e.status();
    }
    LOG.error("unexpected failure deciding a call", cause);
    return Status.INTERNAL.withDescription("internal error: " + cause);
  }
}
