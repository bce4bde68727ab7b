package io.tollgate.controlplane.xds.translate;

import com.google.common.net.InetAddresses;
import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher.SanType;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters.TlsProtocol;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.tollgate.controlplane.configfile.UpstreamSpec;

/**
 * TLS towards an https upstream: SNI is the host, the certificate chain must lead to the configured
 * CA bundle and its subject alternative names must include the host. Without the SAN check any
 * certificate a public CA signed, for any name, would be accepted.
 */
final class UpstreamTlsFactory {

  /** TLS to one endpoint {@code host} of {@code upstream}: SNI and SAN are that host. */
  TransportSocket create(UpstreamSpec upstream, String host, String systemCaFile) {
    return transportSocket(tlsContext(host, upstream.caFile().orElse(systemCaFile)).build());
  }

  /**
   * Mutual TLS towards a gRPC service (the rate-limit services): the same verification, plus
   * Envoy's client certificate, and ALPN h2, which gRPC servers require over TLS.
   */
  TransportSocket createMutual(LimitsInput.RateLimitService.Tls tls) {
    UpstreamTlsContext.Builder context = tlsContext(tls.serverName(), tls.caFile());
    context
        .getCommonTlsContextBuilder()
        .addTlsCertificates(
            TlsCertificate.newBuilder()
                .setCertificateChain(DataSource.newBuilder().setFilename(tls.certFile()))
                .setPrivateKey(DataSource.newBuilder().setFilename(tls.keyFile())))
        .addAlpnProtocols("h2");
    return transportSocket(context.build());
  }

  private static UpstreamTlsContext.Builder tlsContext(String host, String caFile) {
    boolean ipLiteral = InetAddresses.isInetAddress(host);
    CertificateValidationContext validation =
        CertificateValidationContext.newBuilder()
            .setTrustedCa(DataSource.newBuilder().setFilename(caFile))
            .addMatchTypedSubjectAltNames(
                SubjectAltNameMatcher.newBuilder()
                    .setSanType(ipLiteral ? SanType.IP_ADDRESS : SanType.DNS)
                    .setMatcher(StringMatcher.newBuilder().setExact(host)))
            .build();
    UpstreamTlsContext.Builder tls =
        UpstreamTlsContext.newBuilder()
            .setCommonTlsContext(
                CommonTlsContext.newBuilder()
                    .setTlsParams(
                        TlsParameters.newBuilder()
                            .setTlsMinimumProtocolVersion(TlsProtocol.TLSv1_2))
                    .setValidationContext(validation));
    // SNI carries host names only (RFC 6066); an IP upstream is verified by its IP SAN instead.
    if (!ipLiteral) {
      tls.setSni(host);
    }
    return tls;
  }

  private static TransportSocket transportSocket(UpstreamTlsContext tls) {
    return TransportSocket.newBuilder()
        .setName(EnvoyNames.TLS_TRANSPORT_SOCKET)
        .setTypedConfig(Any.pack(tls))
        .build();
  }
}
