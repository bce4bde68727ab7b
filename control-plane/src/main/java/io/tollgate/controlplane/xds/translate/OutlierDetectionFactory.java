package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.tollgate.controlplane.configfile.OutlierDetectionSpec;

/**
 * An upstream cluster's outlier detection. Local-origin failures (refused, reset, timeout, TLS) are
 * counted apart from the upstream's answers, so a 5xx detector, when the file enables one, sees
 * only what the upstream said; detectors the file does not enable are never enforced.
 */
final class OutlierDetectionFactory {

  private static final int ENFORCED = 100;
  private static final int NOT_ENFORCED = 0;

  OutlierDetection create(OutlierDetectionSpec spec) {
    OutlierDetection.Builder b =
        OutlierDetection.newBuilder()
            .setSplitExternalLocalOriginErrors(true)
            .setConsecutiveLocalOriginFailure(UInt32Value.of(spec.consecutiveLocalOriginFailures()))
            .setEnforcingConsecutiveLocalOriginFailure(UInt32Value.of(ENFORCED))
            .setEnforcingConsecutive5Xx(UInt32Value.of(NOT_ENFORCED))
            .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(NOT_ENFORCED))
            .setEnforcingSuccessRate(UInt32Value.of(NOT_ENFORCED))
            .setEnforcingLocalOriginSuccessRate(UInt32Value.of(NOT_ENFORCED))
            .setInterval(Durations.fromMillis(spec.interval().toMillis()))
            .setBaseEjectionTime(Durations.fromMillis(spec.baseEjectionTime().toMillis()))
            .setMaxEjectionPercent(UInt32Value.of(spec.maxEjectionPercent()));
    spec.consecutive5xx()
        .ifPresent(
            n ->
                b.setConsecutive5Xx(UInt32Value.of(n))
                    .setEnforcingConsecutive5Xx(UInt32Value.of(ENFORCED)));
    spec.consecutiveGatewayErrors()
        .ifPresent(
            n ->
                b.setConsecutiveGatewayFailure(UInt32Value.of(n))
                    .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(ENFORCED)));
    return b.build();
  }
}
