package io.tollgate.controlplane.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class OwnOriginsTest {

  private static final OwnOrigins LOOPBACK = OwnOrigins.of(List.of(), List.of());

  @Test
  void loopbackNamesWithTheServersPortAreOwn() {
    for (String host :
        List.of(
            "localhost:8081",
            "127.0.0.1:8081",
            "[::1]:8081",
            "[0:0:0:0:0:0:0:1]:8081",
            "LocalHost:8081")) {
      assertThat(LOOPBACK.ownHost(host, "127.0.0.1", 8081, false)).as(host).isTrue();
    }
    for (String host :
        List.of(
            "localhost:8082",
            "localhost",
            "evil.example:8081",
            "localhost.:8081",
            "127.0.0.1.evil.example:8081",
            "localhost:8081@evil.example",
            "",
            "[::1:8081",
            "127.0.0.1:99999")) {
      assertThat(LOOPBACK.ownHost(host, "127.0.0.1", 8081, false)).as(host).isFalse();
    }
    // Without a port a Host means the scheme's default one.
    assertThat(LOOPBACK.ownHost("localhost", "127.0.0.1", 80, false)).isTrue();
    assertThat(LOOPBACK.ownHost("localhost", "127.0.0.1", 443, true)).isTrue();
  }

  /** An IP literal cannot be rebound: the address the connection came in on names this server. */
  @Test
  void theLocalAddressIsOwnOnlyAsALiteral() {
    assertThat(LOOPBACK.ownHost("10.1.2.3:8081", "10.1.2.3", 8081, false)).isTrue();
    assertThat(LOOPBACK.ownHost("[fd00::7]:8081", "fd00:0:0:0:0:0:0:7", 8081, false)).isTrue();
    assertThat(LOOPBACK.ownHost("10.1.2.4:8081", "10.1.2.3", 8081, false)).isFalse();
    assertThat(LOOPBACK.ownHost("10.1.2.3:9000", "10.1.2.3", 8081, false)).isFalse();
    assertThat(LOOPBACK.ownHost("999.1.2.3:8081", "10.1.2.3", 8081, false)).isFalse();
  }

  @Test
  void allowListEntriesWithOrWithoutAPort() {
    OwnOrigins own =
        OwnOrigins.of(List.of(" control-plane:8081", "Tollgate.Example", ""), List.of());
    assertThat(own.allowedHosts()).containsExactly("control-plane:8081", "tollgate.example");
    assertThat(own.ownHost("control-plane:8081", "10.0.0.9", 8081, false)).isTrue();
    assertThat(own.ownHost("control-plane:80", "10.0.0.9", 8081, false)).isFalse();
    assertThat(own.ownHost("tollgate.example", "10.0.0.9", 8081, true)).isTrue();
    assertThat(own.ownHost("tollgate.example:9443", "10.0.0.9", 8081, true)).isTrue();
    assertThat(own.ownHost("sub.tollgate.example", "10.0.0.9", 8081, true)).isFalse();
  }

  @Test
  void originsAreOwnWhenTheirHostIsOrWhenConfiguredForCors() {
    OwnOrigins own =
        OwnOrigins.of(List.of("control-plane:8081"), List.of("https://Admin.Example:443"));
    assertThat(own.corsOrigins()).containsExactly("https://admin.example");
    for (String origin :
        List.of(
            "http://localhost:8081",
            "http://127.0.0.1:8081",
            "http://[::1]:8081",
            "http://control-plane:8081",
            "https://admin.example")) {
      assertThat(own.allowedOrigin(origin, "127.0.0.1", 8081)).as(origin).isTrue();
    }
    for (String origin :
        List.of(
            "http://evil.example",
            "http://localhost:3000",
            "http://localhost",
            "null",
            "https://admin.example:8443",
            "http://admin.example",
            "http://localhost:8081/path",
            "file://",
            "")) {
      assertThat(own.allowedOrigin(origin, "127.0.0.1", 8081)).as(origin).isFalse();
    }
  }

  @Test
  void badSettingsAreRefusedNamingTheVariable() {
    assertThatThrownBy(() -> OwnOrigins.of(List.of("http://control-plane"), List.of()))
        .hasMessageContaining("TOLLGATE_ADMIN_ALLOWED_HOSTS")
        .hasMessageContaining("http://control-plane");
    for (String origin : List.of("*", "null", "admin.example", "https://admin.example/ui")) {
      assertThatThrownBy(() -> OwnOrigins.of(List.of(), List.of(origin)))
          .as(origin)
          .hasMessageContaining("TOLLGATE_ADMIN_CORS_ORIGINS");
    }
  }
}
