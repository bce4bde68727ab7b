package io.tollgate.controlplane;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Whether a listen address keeps a port on this host: the rule both the REST API and the gRPC port
 * apply before they agree to run without authentication.
 */
public final class Loopback {

  private Loopback() {}

  /**
   * True when every address {@code address} resolves to is loopback (127.0.0.0/8, ::1); false for
   * blank ("all interfaces"), a wildcard, any other address, or a name that does not resolve.
   */
  public static boolean only(String address) {
    if (address == null || address.isBlank()) {
      return false;
    }
    try {
      for (InetAddress resolved : InetAddress.getAllByName(address)) {
        if (!resolved.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
