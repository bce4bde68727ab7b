package io.tollgate.ratelimit.quota;

import io.envoyproxy.envoy.service.rate_limit_quota.v3.RateLimitQuotaResponse;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.RateLimitQuotaServiceGrpc;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.RateLimitQuotaUsageReports;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.ratelimit.config.ActiveConfig;
import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.ratelimit.store.CounterStore;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * {@code envoy.service.rate_limit_quota.v3.RateLimitQuotaService}: one {@link QuotaStream} per
 * {@code StreamRateLimitQuotas} call. Closing it ends every open stream with UNAVAILABLE, so the
 * gRPC server's shutdown does not wait for Envoys that never end their streams themselves.
 */
public final class RateLimitQuotaGrpcService
    extends RateLimitQuotaServiceGrpc.RateLimitQuotaServiceImplBase implements AutoCloseable {

  private final QuotaContext context;
  private final Set<QuotaStream> open = ConcurrentHashMap.newKeySet();

  public RateLimitQuotaGrpcService(
      ActiveConfig config,
      CounterStore store,
      Settings settings,
      Clock clock,
      MeterRegistry meters,
      ScheduledExecutorService scheduler) {
    Settings.Quota quota = settings.quota();
    this.context =
        new QuotaContext(
            config,
            new BucketLimits(settings.limits().cacheKeyPrefix()),
            store,
            settings.store().deadline(),
            new AssignmentMath(
                quota.reportingInterval().toMillis(), quota.assignmentTtlMax().toSeconds()),
            quota,
            settings.limits().globalShadowMode(),
            clock,
            new QuotaMetrics(meters),
            new Reservations(),
            scheduler);
  }

  @Override
  public StreamObserver<RateLimitQuotaUsageReports> streamRateLimitQuotas(
      StreamObserver<RateLimitQuotaResponse> responses) {
    QuotaStream stream =
        new QuotaStream(
            context, (ServerCallStreamObserver<RateLimitQuotaResponse>) responses, open::remove);
    open.add(stream);
    return stream;
  }

  @Override
  public void close() {
    for (QuotaStream s : open) {
      s.fail(
          Status.UNAVAILABLE.withDescription("rate-limit service shutting down"),
          QuotaMetrics.Rejection.SHUTDOWN);
    }
  }
}
