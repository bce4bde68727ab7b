package io.tollgate.controlplane.admin;

import io.tollgate.controlplane.Loopback;

/**
 * Whether the REST API needs a bearer token: always when one is configured, and it must be
 * configured whenever the API listens beyond loopback (any address other than 127.0.0.0/8 or ::1,
 * including "all interfaces" when {@code server.address} is empty).
 *
 * @param serverAddress the value of {@code server.address} ({@code SERVER_ADDRESS}); blank = all
 * @param token the value of {@code TOLLGATE_ADMIN_TOKEN}; blank = none
 */
record AdminExposure(String serverAddress, String token) {

  /** The principal a valid token authenticates as; recorded in the rules history. */
  static final String PRINCIPAL = "admin";

  boolean tokenRequired() {
    return token != null && !token.isBlank();
  }

  /**
   * Refuses a configuration that would expose the API without a token.
   *
   * @throws IllegalStateException with the fix in its message
   */
  void requireSafe() {
    if (!tokenRequired() && !loopbackOnly()) {
      throw new IllegalStateException(
          "The REST API would listen on "
              + (serverAddress == null || serverAddress.isBlank()
                  ? "all interfaces"
                  : serverAddress)
              + ", beyond loopback, without authentication: set TOLLGATE_ADMIN_TOKEN to a secret"
              + " bearer token, or SERVER_ADDRESS=127.0.0.1");
    }
  }

  /** Whether the API listens on loopback addresses only. */
  boolean loopbackOnly() {
    return Loopback.only(serverAddress);
  }
}
