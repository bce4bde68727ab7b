package io.tollgate.controlplane;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A comma-separated list of {@code host[:port]} endpoints from one environment variable, e.g.
 * {@code TOLLGATE_RATELIMIT_ADDRESS=10.0.0.5:8090,10.0.0.6:8090}. Hosts are DNS names, IPv4
 * literals or bracketed IPv6 literals ({@code [::1]:8090}); an entry without a port takes the
 * default. Anything else is refused with a message naming the variable and the entry, so a typo
 * stops the start instead of sending Envoy to a host that does not exist.
 */
public final class EndpointList {

  private static final Pattern ENTRY =
      Pattern.compile(
          "(?<host>\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:(?<port>[0-9]{1,5}))?");

  private EndpointList() {}

  /**
   * The endpoints of {@code value}, in order, unresolved.
   *
   * @param variable the environment variable the value comes from, for the error message
   * @param defaultPort the port of entries that name none
   * @throws IllegalArgumentException naming {@code variable} when an entry is malformed, a port is
   *     out of range, an entry repeats or the list is empty
   */
  public static List<InetSocketAddress> parse(String variable, String value, int defaultPort) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          variable + ": empty, expected host[:port][,host[:port]...]");
    }
    List<InetSocketAddress> endpoints = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String raw : value.split(",", -1)) {
      String entry = raw.strip();
      Matcher m = ENTRY.matcher(entry);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            variable + ": '" + entry + "' is not host[:port] (in '" + value + "')");
      }
      int port = m.group("port") == null ? defaultPort : Integer.parseInt(m.group("port"));
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException(
            variable + ": port " + port + " of '" + entry + "' is out of 1..65535");
      }
      String host = m.group("host");
      if (host.startsWith("[")) {
        host = host.substring(1, host.length() - 1);
      }
      if (!seen.add(host + ":" + port)) {
        throw new IllegalArgumentException(variable + ": '" + entry + "' is listed twice");
      }
      endpoints.add(InetSocketAddress.createUnresolved(host, port));
    }
    return List.copyOf(endpoints);
  }
}
