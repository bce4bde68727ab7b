package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.type.v3.Percent;
import io.tollgate.controlplane.configfile.CircuitBreakerSpec;
import io.tollgate.controlplane.configfile.RetrySpec;
import java.util.Optional;

/**
 * An upstream cluster's circuit breakers (default priority): the file's limits, and the retry
 * budget its routes ask for, which replaces {@code max_retries} in Envoy when present.
 */
final class CircuitBreakersFactory {

  CircuitBreakers create(CircuitBreakerSpec spec, Optional<RetrySpec.RetryBudget> budget) {
    CircuitBreakers.Thresholds.Builder thresholds =
        CircuitBreakers.Thresholds.newBuilder()
            .setMaxConnections(UInt32Value.of(spec.maxConnections()))
            .setMaxPendingRequests(UInt32Value.of(spec.maxPendingRequests()))
            .setMaxRequests(UInt32Value.of(spec.maxRequests()))
            .setMaxRetries(UInt32Value.of(spec.maxRetries()));
    budget.ifPresent(
        b ->
            thresholds.setRetryBudget(
                CircuitBreakers.Thresholds.RetryBudget.newBuilder()
                    .setBudgetPercent(Percent.newBuilder().setValue(b.percent()))
                    .setMinRetryConcurrency(UInt32Value.of(b.minConcurrent()))));
    return CircuitBreakers.newBuilder().addThresholds(thresholds).build();
  }
}
