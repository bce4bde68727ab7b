package io.tollgate.controlplane.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.InsecureServerCredentials;
import io.grpc.TlsServerCredentials;
import io.tollgate.controlplane.ControlPlaneSettings;
import io.tollgate.controlplane.ControlPlaneSettings.XdsTls;
import io.tollgate.testsupport.TestCa;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class GrpcPortSecurityTest {

  @TempDir Path dir;

  @Test
  void theEnvironmentVariablesBindToTheSettings() {
    ControlPlaneSettings.Xds xds =
        bind(Map.of(
                "TOLLGATE_XDS_ADDRESS", "0.0.0.0",
                "TOLLGATE_XDS_TLS_CERT", "/tls/cert.pem",
                "TOLLGATE_XDS_TLS_KEY", "/tls/key.pem",
                "TOLLGATE_XDS_TLS_CLIENT_CA", "/tls/ca.pem",
                "TOLLGATE_XDS_MAX_CONNECTION_AGE", "2m",
                "TOLLGATE_XDS_MAX_CONNECTION_AGE_GRACE", "5s"))
            .xds();
    assertThat(xds.address()).isEqualTo("0.0.0.0");
    assertThat(xds.tls()).isEqualTo(new XdsTls("/tls/cert.pem", "/tls/key.pem", "/tls/ca.pem"));
    assertThat(xds.maxConnectionAge()).isEqualTo(Duration.ofMinutes(2));
    assertThat(xds.maxConnectionAgeGrace()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void defaultsArePlaintextOnLoopbackWithConnectionsRecycledEveryTenMinutes() {
    ControlPlaneSettings.Xds xds = bind(Map.of()).xds();
    assertThat(xds.address()).isEqualTo("127.0.0.1");
    assertThat(new GrpcPortSecurity(xds.address(), xds.tls()).mutualTls()).isFalse();
    assertThat(xds.maxConnectionAge()).isEqualTo(Duration.ofMinutes(10));
    assertThat(xds.maxConnectionAgeGrace()).isEqualTo(Duration.ofSeconds(30));
    new GrpcPortSecurity(xds.address(), xds.tls()).requireSafe();
    assertThat(new GrpcPortSecurity(xds.address(), xds.tls()).credentials())
        .isInstanceOf(InsecureServerCredentials.class);
  }

  @Test
  void aZeroConnectionAgeIsRefused() {
    assertThatThrownBy(() -> bind(Map.of("TOLLGATE_XDS_MAX_CONNECTION_AGE", "0s")))
        .rootCause()
        .hasMessageContaining("TOLLGATE_XDS_MAX_CONNECTION_AGE must be positive");
  }

  @Test
  void beyondLoopbackWithoutTlsIsRefusedWithTheFix() {
    for (String address : new String[] {"0.0.0.0", "", "::", "192.0.2.10"}) {
      assertThatThrownBy(
              () -> new GrpcPortSecurity(address, new XdsTls(null, "", null)).requireSafe())
          .as(address)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("beyond loopback, without authentication")
          .hasMessageContaining("TOLLGATE_XDS_TLS_CLIENT_CA")
          .hasMessageContaining("TOLLGATE_XDS_ADDRESS=127.0.0.1");
    }
    new GrpcPortSecurity("::1", null).requireSafe();
    new GrpcPortSecurity("127.0.0.5", new XdsTls(null, null, null)).requireSafe();
  }

  @Test
  void partialTlsNamesWhatIsMissing() {
    assertThatThrownBy(
            () -> new GrpcPortSecurity("127.0.0.1", new XdsTls("/c", "/k", null)).requireSafe())
        .hasMessageStartingWith("TOLLGATE_XDS_TLS_CLIENT_CA not set")
        .hasMessageContaining("only TOLLGATE_XDS_TLS_CERT, TOLLGATE_XDS_TLS_KEY set");
    assertThatThrownBy(
            () -> new GrpcPortSecurity("0.0.0.0", new XdsTls(null, "/k", "")).requireSafe())
        .hasMessageStartingWith("TOLLGATE_XDS_TLS_CERT and TOLLGATE_XDS_TLS_CLIENT_CA not set");
  }

  @Test
  void anUnreadableFileIsNamed() {
    TestCa ca = TestCa.create(dir, "ca");
    TestCa.ServerCertificate server = ca.issueServerCertificate("server");
    XdsTls tls =
        new XdsTls(
            server.certFile().toString(),
            dir.resolve("missing.pem").toString(),
            ca.caFile().toString());
    assertThatThrownBy(() -> new GrpcPortSecurity("0.0.0.0", tls).requireSafe())
        .hasMessage(
            "TOLLGATE_XDS_TLS_KEY=" + dir.resolve("missing.pem") + ": no such readable file");
  }

  @Test
  void allThreeFilesMakeMutualTlsOnAnyAddress() {
    TestCa ca = TestCa.create(dir, "ca");
    TestCa.ServerCertificate server = ca.issueServerCertificate("server");
    GrpcPortSecurity security =
        new GrpcPortSecurity(
            "0.0.0.0",
            new XdsTls(
                server.certFile().toString(), server.keyFile().toString(), ca.caFile().toString()));
    security.requireSafe();
    assertThat(security.mutualTls()).isTrue();
    assertThat(security.credentials())
        .isInstanceOfSatisfying(
            TlsServerCredentials.class,
            tls ->
                assertThat(tls.getClientAuth()).isEqualTo(TlsServerCredentials.ClientAuth.REQUIRE));
  }

  private static ControlPlaneSettings bind(Map<String, String> environment) {
    StandardEnvironment env = new StandardEnvironment();
    env.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
    env.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
    env.getPropertySources()
        .addFirst(
            new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                Map.copyOf(environment)));
    return new Binder(ConfigurationPropertySources.get(env))
        .bindOrCreate("tollgate", ControlPlaneSettings.class);
  }
}
