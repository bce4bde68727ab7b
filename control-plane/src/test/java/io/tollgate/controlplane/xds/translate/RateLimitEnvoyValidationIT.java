package io.tollgate.controlplane.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real Envoy (1.40) accepts every field and extension the rate-limit translation uses
 * (generic_key, header_value_match with descriptor_key, masked_remote_address, the CEL {@code expr}
 * descriptor, the ratelimit filter, the local reply mapper, the cluster's mutual TLS): the golden
 * snapshot, with its routes inlined and its certificate files made real, passes {@code envoy --mode
 * validate}.
 */
class RateLimitEnvoyValidationIT {

  @ParameterizedTest
  @MethodSource("io.tollgate.controlplane.xds.translate.RateLimitGolden#cases")
  void envoyAcceptsTheSnapshot(String name, @TempDir Path dir) throws Exception {
    EnvoyValidate.Result result =
        EnvoyValidate.run(StaticBootstrap.of(RateLimitGolden.translate(name), dir, List.of()), dir);
    assertThat(result.ok()).as(result.output()).isTrue();
  }
}
