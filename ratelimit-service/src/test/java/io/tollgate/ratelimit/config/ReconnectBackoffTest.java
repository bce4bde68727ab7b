package io.tollgate.ratelimit.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.ratelimit.settings.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

  @Test
  void theDefaultsReachARestartedControlPlaneWithinTheReadmesTwoSeconds() {
    ReconnectBackoff defaults = new ReconnectBackoff(Settings.fromEnv(Map.of()).xds(), () -> 0.999);

    assertThat(defaults.worstCase()).isLessThanOrEqualTo(Duration.ofMillis(750));
    for (int i = 0; i < 20; i++) {
      assertThat(defaults.nextDelay()).isLessThanOrEqualTo(defaults.worstCase());
    }
  }

  @Test
  void doublesUpToTheMaximumAndStartsOverAfterAResponse() {
    ReconnectBackoff backoff = backoff("false", () -> 0.5);

    assertThat(delays(backoff, 5)).containsExactly(100L, 200L, 400L, 500L, 500L);
    backoff.reset();
    assertThat(delays(backoff, 2)).containsExactly(100L, 200L);
  }

  @Test
  void jitterSpreadsEachPauseByTheRandomFactor() {
    assertThat(delays(backoff("true", () -> 0.0), 4)).containsExactly(50L, 100L, 200L, 250L);
    assertThat(backoff("true", () -> 0.0).worstCase()).isEqualTo(Duration.ofMillis(750));
  }

  private static ReconnectBackoff backoff(String jitter, java.util.function.DoubleSupplier random) {
    Settings.Xds xds =
        Settings.fromEnv(
                Map.of(
                    "XDS_CLIENT_BACKOFF_INITIAL_INTERVAL", "100ms",
                    "XDS_CLIENT_BACKOFF_MAX_INTERVAL", "500ms",
                    "XDS_CLIENT_BACKOFF_RANDOM_FACTOR", "0.5",
                    "XDS_CLIENT_BACKOFF_JITTER", jitter))
            .xds();
    return new ReconnectBackoff(xds, random);
  }

  private static java.util.List<Long> delays(ReconnectBackoff backoff, int n) {
    java.util.List<Long> out = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(backoff.nextDelay().toMillis());
    }
    return out;
  }
}
