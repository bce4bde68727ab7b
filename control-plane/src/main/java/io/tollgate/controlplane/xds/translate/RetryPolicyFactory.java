package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.tollgate.controlplane.configfile.RetrySpec;

/** A route's retry policy. */
final class RetryPolicyFactory {

  // Tries to pick a host other than the ones already tried, so a retry is not sent back to the
  // endpoint that just failed.
  private static final int HOST_SELECTION_ATTEMPTS = 3;

  /**
   * @param severalEndpoints whether the upstream has more than one endpoint to retry on
   */
  RetryPolicy create(RetrySpec spec, boolean severalEndpoints) {
    RetryPolicy.Builder b =
        RetryPolicy.newBuilder()
            .setRetryOn(String.join(",", spec.on()))
            .setNumRetries(UInt32Value.of(spec.attempts()));
    spec.perTryTimeout().ifPresent(t -> b.setPerTryTimeout(Durations.fromMillis(t.toMillis())));
    if (severalEndpoints) {
      b.addRetryHostPredicate(
              RetryPolicy.RetryHostPredicate.newBuilder()
                  .setName(EnvoyNames.PREVIOUS_HOSTS)
                  .setTypedConfig(Any.pack(PreviousHostsPredicate.getDefaultInstance())))
          .setHostSelectionRetryMaxAttempts(HOST_SELECTION_ATTEMPTS);
    }
    return b.build();
  }
}
