package io.tollgate.controlplane.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.testsupport.TestCa;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerRoleTest {

  @TempDir Path dir;

  @Test
  void theUriSanNamesTheRole() throws Exception {
    TestCa ca = TestCa.create(dir, "ca");
    assertThat(PeerRole.of(read(ca.issueClientCertificate("e", TestCa.ENVOY_ROLE).certFile())))
        .containsExactly(PeerRole.ENVOY);
    assertThat(PeerRole.of(read(ca.issueClientCertificate("r", TestCa.RATELIMIT_ROLE).certFile())))
        .containsExactly(PeerRole.RATELIMIT);
    assertThat(
            PeerRole.of(
                read(ca.issueClientCertificate("x", "spiffe://elsewhere/envoy").certFile())))
        .isEmpty();
    assertThat(PeerRole.of(read(ca.issueClientCertificate("n", null).certFile()))).isEmpty();
    assertThat(PeerRole.of(read(ca.issueServerCertificate("s").certFile()))).isEmpty();
  }

  @Test
  void onlyEnvoysMayStreamAccessLogs() {
    assertThat(PeerAuthorization.ALLOWED)
        .containsEntry("envoy.service.accesslog.v3.AccessLogService", Set.of(PeerRole.ENVOY))
        .containsEntry(
            "envoy.service.discovery.v3.AggregatedDiscoveryService",
            Set.of(PeerRole.ENVOY, PeerRole.RATELIMIT));
  }

  private static X509Certificate read(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
