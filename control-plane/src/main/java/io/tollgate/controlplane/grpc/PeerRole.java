package io.tollgate.controlplane.grpc;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a client certificate on the gRPC port is for, named by a URI subject alternative name in
 * SPIFFE form. Roles keep one kind of peer from speaking for another: a rate-limit service's
 * certificate fetches configuration but cannot inject access-log statistics.
 */
enum PeerRole {
  ENVOY("spiffe://tollgate/envoy"),
  RATELIMIT("spiffe://tollgate/ratelimit");

  /** {@link X509Certificate#getSubjectAlternativeNames()}'s tag of a URI name. */
  private static final int URI_NAME = 6;

  private final String uri;

  PeerRole(String uri) {
    this.uri = uri;
  }

  /** The roles the certificate's URI SANs name; empty when it names none. */
  static Set<PeerRole> of(X509Certificate certificate) {
    Set<PeerRole> roles = EnumSet.noneOf(PeerRole.class);
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names == null) {
        return roles;
      }
      for (List<?> name : names) {
        if (name.size() == 2 && Integer.valueOf(URI_NAME).equals(name.get(0))) {
          for (PeerRole role : values()) {
            if (role.uri.equals(name.get(1))) {
              roles.add(role);
            }
          }
        }
      }
      return roles;
    } catch (CertificateParsingException e) {
      return roles;
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT) + " (" + uri + ")";
  }
}
