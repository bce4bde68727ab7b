package io.tollgate.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.controlplane.ControlPlaneSettings.Ratelimit;
import io.tollgate.controlplane.ControlPlaneSettings.RatelimitTls;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code TOLLGATE_RATELIMIT_TLS_*}: the three files or none, and the name to verify. */
class RatelimitTlsSettingsTest {

  @Test
  void noneIsPlaintext() {
    assertThat(new RatelimitTls(null, "", " ", null).enabled()).isFalse();
    assertThat(ratelimit("127.0.0.1", null).tls().enabled()).isFalse();
  }

  @Test
  void partOfTheFilesRefusesNamingWhatIsMissing() {
    assertThatThrownBy(() -> new RatelimitTls("/tls/envoy.pem", null, "", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("TOLLGATE_RATELIMIT_TLS_KEY and TOLLGATE_RATELIMIT_TLS_CA not set");
    assertThatThrownBy(() -> new RatelimitTls("/tls/envoy.pem", "/tls/envoy-key.pem", null, null))
        .hasMessageStartingWith("TOLLGATE_RATELIMIT_TLS_CA not set");
  }

  @Test
  void aServerNameWithoutTheFilesRefuses() {
    assertThatThrownBy(() -> new RatelimitTls(null, null, null, "ratelimit"))
        .hasMessageContaining("TOLLGATE_RATELIMIT_TLS_SERVER_NAME is set");
  }

  @Test
  void theServerNameDefaultsToTheFirstHostOfTheAddress() {
    RatelimitTls files = new RatelimitTls("/c.pem", "/k.pem", "/ca.pem", null);
    assertThat(ratelimit("ratelimit.tollgate:8090,10.0.0.2", files).tlsServerName())
        .isEqualTo("ratelimit.tollgate");
    assertThat(
            ratelimit("10.0.0.1", new RatelimitTls("/c.pem", "/k.pem", "/ca.pem", "rls"))
                .tlsServerName())
        .isEqualTo("rls");
  }

  private static Ratelimit ratelimit(String address, RatelimitTls tls) {
    return new Ratelimit(address, 8090, Duration.ofMillis(250), false, tls);
  }
}
