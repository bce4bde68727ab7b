package io.tollgate.controlplane.configfile;

/**
 * Envoy's client-facing listener.
 *
 * @param address IP literal to bind
 * @param port TCP port
 * @param xffNumTrustedHops how many proxies in front of Envoy append to {@code X-Forwarded-For}; 0
 *     means the client's address is the peer address and the header cannot spoof it
 */
public record ListenerSpec(String address, int port, int xffNumTrustedHops) {

  public static final String DEFAULT_ADDRESS = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
}
