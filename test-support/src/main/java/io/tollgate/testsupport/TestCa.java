package io.tollgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A certificate authority made at test time, so no key material lives in the repository. Each
 * instance is unrelated to every other: a second {@code TestCa} is the "wrong CA" of TLS tests.
 */
public final class TestCa {

  /** The names every server certificate carries: loopback by name, by address, and an SNI name. */
  public static final String SNI_NAME = "mock.tollgate.test";

  /** The URI SAN that makes a client certificate an Envoy's on the control plane's gRPC port. */
  public static final String ENVOY_ROLE = "spiffe://tollgate/envoy";

  /** The URI SAN of a rate-limit service's client certificate. */
  public static final String RATELIMIT_ROLE = "spiffe://tollgate/ratelimit";

  private static final String SIGNATURE = "SHA256withECDSA";
  private static final Duration VALIDITY = Duration.ofDays(2);

  private final Path dir;
  private final KeyPair key;
  private final X509Certificate certificate;
  private final Path caFile;

  private TestCa(Path dir, KeyPair key, X509Certificate certificate, Path caFile) {
    this.dir = dir;
    this.key = key;
    this.certificate = certificate;
    this.caFile = caFile;
  }

  /** A new CA whose certificate is written to {@code dir/<name>-ca.pem}. */
  public static TestCa create(Path dir, String name) {
    try {
      KeyPair key = newKey();
      X500Name subject = new X500Name("CN=Tollgate test CA " + name + ",O=Tollgate tests");
      X509v3CertificateBuilder builder = builder(subject, subject, key, key);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate cert = sign(builder, key);
      Path caFile = dir.resolve(name + "-ca.pem");
      writePem(caFile, cert);
      return new TestCa(dir, key, cert, caFile);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create test CA " + name, e);
    }
  }

  /** The CA certificate (PEM), to trust in a client: Envoy's {@code caFile}, curl's --cacert. */
  public Path caFile() {
    return caFile;
  }

  /**
   * Issues a server certificate for {@code localhost}, {@code 127.0.0.1} and {@link #SNI_NAME}, and
   * writes it and its key (PEM) next to the CA file.
   */
  public ServerCertificate issueServerCertificate(String name) {
    Path[] files =
        issue(
            name,
            "CN=localhost,O=Tollgate tests",
            KeyPurposeId.id_kp_serverAuth,
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.dNSName, SNI_NAME),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    return new ServerCertificate(files[0], files[1]);
  }

  /**
   * Issues a client certificate whose only subject alternative name is the URI {@code role} (e.g.
   * {@link #ENVOY_ROLE}; null for none), and writes it and its key (PEM) next to the CA file.
   */
  public ClientCertificate issueClientCertificate(String name, String role) {
    Path[] files =
        role == null
            ? issue(name, "CN=" + name + ",O=Tollgate tests", KeyPurposeId.id_kp_clientAuth)
            : issue(
                name,
                "CN=" + name + ",O=Tollgate tests",
                KeyPurposeId.id_kp_clientAuth,
                new GeneralName(GeneralName.uniformResourceIdentifier, role));
    return new ClientCertificate(files[0], files[1]);
  }

  /** Signs a leaf certificate; returns its certificate and key files. */
  private Path[] issue(String name, String subject, KeyPurposeId purpose, GeneralName... sans) {
    try {
      KeyPair leafKey = newKey();
      X509v3CertificateBuilder builder =
          builder(
              X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
              new X500Name(subject),
              leafKey,
              key);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      if (sans.length > 0) {
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
      }
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate));
      X509Certificate cert = sign(builder, key);
      Path certFile = dir.resolve(name + "-cert.pem");
      Path keyFile = dir.resolve(name + "-key.pem");
      writePem(certFile, cert);
      // PKCS#8 as the JDK encodes it: nginx, Envoy, gRPC's Netty and openssl all read it.
      writePem(keyFile, new PemObject("PRIVATE KEY", leafKey.getPrivate().getEncoded()));
      return new Path[] {certFile, keyFile};
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue a certificate for " + name, e);
    }
  }

  /** PEM files of a server certificate and its private key. */
  public record ServerCertificate(Path certFile, Path keyFile) {}

  /** PEM files of a client certificate and its private key. */
  public record ClientCertificate(Path certFile, Path keyFile) {}

  private static KeyPair newKey() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    return generator.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair subjectKey, KeyPair issuerKey)
      throws GeneralSecurityException, CertIOException {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            issuer,
            new BigInteger(64, new SecureRandom()).add(BigInteger.ONE),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(VALIDITY)),
            subject,
            subjectKey.getPublic());
    builder.addExtension(
        Extension.subjectKeyIdentifier,
        false,
        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(subjectKey.getPublic()));
    return builder;
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuerKey)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey.getPrivate())));
  }

  private static void writePem(Path file, Object value) {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
