package io.tollgate.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestCaTest {

  @TempDir Path dir;

  @Test
  void serverCertificateChainsToItsCaOnlyAndNamesLoopback() throws Exception {
    TestCa ca = TestCa.create(dir, "good");
    TestCa other = TestCa.create(dir, "other");
    TestCa.ServerCertificate server = ca.issueServerCertificate("server");

    X509Certificate leaf = read(server.certFile());
    assertThat(leaf.getSubjectAlternativeNames())
        .extracting(n -> (Object) n.get(1))
        .containsExactlyInAnyOrder((Object) "localhost", TestCa.SNI_NAME, "127.0.0.1");
    assertThat(Files.readString(server.keyFile())).contains("PRIVATE KEY");

    validate(leaf, read(ca.caFile()));
    assertThatThrownBy(() -> validate(leaf, read(other.caFile())))
        .isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void clientCertificateCarriesItsRoleAsItsOnlyUriName() throws Exception {
    TestCa ca = TestCa.create(dir, "good");
    X509Certificate envoy = read(ca.issueClientCertificate("envoy", TestCa.ENVOY_ROLE).certFile());
    assertThat(envoy.getSubjectAlternativeNames()).containsExactly(List.of(6, TestCa.ENVOY_ROLE));
    assertThat(envoy.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    validate(envoy, read(ca.caFile()));
    assertThat(
            read(ca.issueClientCertificate("none", null).certFile()).getSubjectAlternativeNames())
        .isNull();
  }

  private static X509Certificate read(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static void validate(X509Certificate leaf, X509Certificate anchor) throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), params);
  }
}
