package io.tollgate.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointListTest {

  private static final String VAR = "TOLLGATE_RATELIMIT_ADDRESS";

  @Test
  void oneHostTakesTheDefaultPortAsBefore() {
    assertThat(EndpointList.parse(VAR, "127.0.0.1", 8090))
        .containsExactly(InetSocketAddress.createUnresolved("127.0.0.1", 8090));
  }

  @Test
  void aListKeepsItsOrderAndEachEntryItsOwnPort() {
    assertThat(EndpointList.parse(VAR, "10.0.0.5:9000, ratelimit.tollgate.svc ,[::1]:8091", 8090))
        .containsExactly(
            InetSocketAddress.createUnresolved("10.0.0.5", 9000),
            InetSocketAddress.createUnresolved("ratelimit.tollgate.svc", 8090),
            InetSocketAddress.createUnresolved("::1", 8091));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "a,,b",
        "a,",
        "host:",
        "host:http",
        "host:0",
        "host:65536",
        "host:8090:1",
        "-host",
        "ho st",
        "http://host:8090",
        "[::1",
        "a:1,a:1"
      })
  void badEntriesAreRefusedNamingTheVariable(String value) {
    assertThatThrownBy(() -> EndpointList.parse(VAR, value, 8090))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(VAR + ": ");
  }

  @Test
  void theSettingsRefuseABadListAtBinding() {
    assertThatThrownBy(
            () ->
                new ControlPlaneSettings.Ratelimit(
                    "127.0.0.1:8090,127.0.0.2:x", 8090, Duration.ofMillis(250), false, null))
        .hasMessageContaining(VAR)
        .hasMessageContaining("127.0.0.2:x");
    assertThatThrownBy(
            () ->
                new ControlPlaneSettings.Ratelimit(
                    "127.0.0.1", 0, Duration.ofMillis(250), false, null))
        .hasMessageContaining("TOLLGATE_RATELIMIT_PORT");
  }

  @Test
  void theSettingsExposeTheList() {
    assertThat(
            new ControlPlaneSettings.Ratelimit(
                    "127.0.0.1:8090,127.0.0.2", 9000, Duration.ofMillis(250), false, null)
                .endpoints())
        .containsExactly(
            InetSocketAddress.createUnresolved("127.0.0.1", 8090),
            InetSocketAddress.createUnresolved("127.0.0.2", 9000));
  }
}
