package io.tollgate.controlplane.xds.translate;

import com.google.common.net.InetAddresses;
import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher.SanType;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters.TlsProtocol;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.tollgate.controlplane.gateway.UpstreamSpec;

/**
 * TLS towards an https upstream: SNI is the host, the certificate chain must lead to the configured
 * CA bundle and its subject alternative names must include the host. Without the SAN check any
 * certificate a public CA signed, for any name, would be accepted.
 */
final class UpstreamTlsFactory {

  TransportSocket create(UpstreamSpec upstream, String systemCaFile) {
    boolean ipLiteral = InetAddresses.isInetAddress(upstream.host());
    CertificateValidationContext validation =
        CertificateValidationContext.newBuilder()
            .setTrustedCa(
                DataSource.newBuilder().setFilename(upstream.caFile().orElse(systemCaFile)))
            .addMatchTypedSubjectAltNames(
                SubjectAltNameMatcher.newBuilder()
                    .setSanType(ipLiteral ? SanType.IP_ADDRESS : SanType.DNS)
                    .setMatcher(StringMatcher.newBuilder().setExact(upstream.host())))
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
      tls.setSni(upstream.host());
    }
    return TransportSocket.newBuilder()
        .setName(EnvoyNames.TLS_TRANSPORT_SOCKET)
        .setTypedConfig(Any.pack(tls.build()))
        .build();
  }
}
