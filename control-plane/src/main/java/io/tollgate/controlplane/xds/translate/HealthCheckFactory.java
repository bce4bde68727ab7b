package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.tollgate.controlplane.configfile.HealthCheckSpec;

/**
 * An upstream cluster's active HTTP health check. The Host header of each check is the endpoint's
 * own (set on the endpoint), as auto_host_rewrite sends it with requests.
 */
final class HealthCheckFactory {

  HealthCheck create(HealthCheckSpec spec) {
    return HealthCheck.newBuilder()
        .setTimeout(Durations.fromMillis(spec.timeout().toMillis()))
        .setInterval(Durations.fromMillis(spec.interval().toMillis()))
        // Envoy checks a cluster that has had no traffic yet only each 60 s by default: the file's
        // interval holds from the start, so a dead endpoint is known before the first request.
        .setNoTrafficInterval(Durations.fromMillis(spec.interval().toMillis()))
        .setUnhealthyThreshold(UInt32Value.of(spec.unhealthyThreshold()))
        .setHealthyThreshold(UInt32Value.of(spec.healthyThreshold()))
        .setHttpHealthCheck(HealthCheck.HttpHealthCheck.newBuilder().setPath(spec.path()))
        .build();
  }
}
