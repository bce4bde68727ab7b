package io.tollgate.ratelimit.quota;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.BucketId;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.RateLimitQuotaResponse;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.RateLimitQuotaServiceGrpc;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.RateLimitQuotaUsageReports;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** One RLQS stream, as one Envoy's {@code rate_limit_quota} filter would open it. */
final class RlqsClient implements AutoCloseable {

  final BlockingQueue<RateLimitQuotaResponse> responses = new LinkedBlockingQueue<>();
  final CompletableFuture<Status> closed = new CompletableFuture<>();
  private final StreamObserver<RateLimitQuotaUsageReports> requests;

  RlqsClient(Channel channel) {
    requests =
        RateLimitQuotaServiceGrpc.newStub(channel)
            .streamRateLimitQuotas(
                new StreamObserver<>() {
                  @Override
                  public void onNext(RateLimitQuotaResponse r) {
                    responses.add(r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    closed.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    closed.complete(Status.OK);
                  }
                });
  }

  /** A bucket id of {@code key, value, key, value...}. */
  static BucketId bucket(String... keysAndValues) {
    BucketId.Builder b = BucketId.newBuilder();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      b.putBucket(keysAndValues[i], keysAndValues[i + 1]);
    }
    return b.build();
  }

  static RateLimitQuotaUsageReports.BucketQuotaUsage usage(
      BucketId bucket, long allowed, long denied) {
    return RateLimitQuotaUsageReports.BucketQuotaUsage.newBuilder()
        .setBucketId(bucket)
        .setTimeElapsed(Duration.newBuilder().setSeconds(1))
        .setNumRequestsAllowed(allowed)
        .setNumRequestsDenied(denied)
        .build();
  }

  synchronized void send(RateLimitQuotaUsageReports report) {
    requests.onNext(report);
  }

  /** Reports one bucket's usage. */
  void report(String domain, BucketId bucket, long allowed, long denied) {
    send(
        RateLimitQuotaUsageReports.newBuilder()
            .setDomain(domain)
            .addBucketQuotaUsages(usage(bucket, allowed, denied))
            .build());
  }

  /** The next response, waiting up to 10 s. */
  RateLimitQuotaResponse next() throws InterruptedException {
    RateLimitQuotaResponse r = responses.poll(10, TimeUnit.SECONDS);
    assertThat(r).as("an RLQS response within 10 s").isNotNull();
    return r;
  }

  /** Reports one bucket's usage and returns the single action of the answer. */
  RateLimitQuotaResponse.BucketAction exchange(
      String domain, BucketId bucket, long allowed, long denied) throws InterruptedException {
    report(domain, bucket, allowed, denied);
    RateLimitQuotaResponse r = next();
    assertThat(r.getBucketActionCount()).isEqualTo(1);
    assertThat(r.getBucketAction(0).getBucketId()).isEqualTo(bucket);
    return r.getBucketAction(0);
  }

  /** The status the service ended the stream with, waiting up to 10 s. */
  Status closedStatus() throws Exception {
    return closed.get(10, TimeUnit.SECONDS);
  }

  @Override
  public synchronized void close() {
    if (!closed.isDone()) {
      requests.onCompleted();
    }
  }
}
