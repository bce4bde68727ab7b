package io.tollgate.controlplane.grpc;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.tollgate.controlplane.ControlPlaneSettings.XdsTls;
import io.tollgate.controlplane.Loopback;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the gRPC port authenticates its peers: mutual TLS when the three PEM files are set, nothing
 * otherwise, which only a loopback address may do (as the REST API refuses to run exposed without
 * its token).
 *
 * @param address {@code TOLLGATE_XDS_ADDRESS}
 * @param tls the {@code TOLLGATE_XDS_TLS_*} files, each blank when unset
 */
record GrpcPortSecurity(String address, XdsTls tls) {

  static final String CERT = "TOLLGATE_XDS_TLS_CERT";
  static final String KEY = "TOLLGATE_XDS_TLS_KEY";
  static final String CLIENT_CA = "TOLLGATE_XDS_TLS_CLIENT_CA";

  /** True when clients must present a certificate from {@code TOLLGATE_XDS_TLS_CLIENT_CA}. */
  boolean mutualTls() {
    return !files().isEmpty();
  }

  /**
   * Refuses half a TLS configuration, unreadable files, and a port beyond loopback without TLS.
   *
   * @throws IllegalStateException naming the setting to fix
   */
  void requireSafe() {
    Map<String, String> set = files();
    if (!set.isEmpty() && set.size() < 3) {
      List<String> missing = new ArrayList<>(List.of(CERT, KEY, CLIENT_CA));
      missing.removeAll(set.keySet());
      throw new IllegalStateException(
          String.join(" and ", missing)
              + " not set: mutual TLS on the gRPC port needs "
              + CERT
              + ", "
              + KEY
              + " and "
              + CLIENT_CA
              + " together (only "
              + String.join(", ", set.keySet())
              + " set)");
    }
    set.forEach(
        (name, file) -> {
          if (!Files.isReadable(Path.of(file))) {
            throw new IllegalStateException(name + "=" + file + ": no such readable file");
          }
        });
    if (set.isEmpty() && !Loopback.only(address)) {
      throw new IllegalStateException(
          "The gRPC port (xDS, access logs) would listen on "
              + (address == null || address.isBlank() ? "all interfaces" : address)
              + ", beyond loopback, without authentication: set "
              + CERT
              + ", "
              + KEY
              + " and "
              + CLIENT_CA
              + " (mutual TLS), or TOLLGATE_XDS_ADDRESS=127.0.0.1");
    }
  }

  /** Mutual TLS requiring a client certificate, or plaintext on loopback. */
  ServerCredentials credentials() {
    if (!mutualTls()) {
      return InsecureServerCredentials.create();
    }
    try {
      return TlsServerCredentials.newBuilder()
          .keyManager(new File(tls.cert()), new File(tls.key()))
          .trustManager(new File(tls.clientCa()))
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
          .build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot read the gRPC port's TLS files ("
              + String.join(", ", files().entrySet().stream().map(Object::toString).toList())
              + "): "
              + e.getMessage(),
          e);
    }
  }

  /** The TLS settings that are set, by variable name. */
  private Map<String, String> files() {
    Map<String, String> set = new LinkedHashMap<>();
    if (tls != null) {
      put(set, CERT, tls.cert());
      put(set, KEY, tls.key());
      put(set, CLIENT_CA, tls.clientCa());
    }
    return set;
  }

  private static void put(Map<String, String> set, String name, String value) {
    if (value != null && !value.isBlank()) {
      set.put(name, value);
    }
  }
}
