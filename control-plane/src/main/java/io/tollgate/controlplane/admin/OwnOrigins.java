package io.tollgate.controlplane.admin;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which {@code Host} and {@code Origin} values name this control plane. A browser sends the name it
 * resolved in {@code Host}, so a page that rebinds its own DNS name to 127.0.0.1 still says {@code
 * Host: evil.example}; and it sends the page's origin in {@code Origin}. Own are: the loopback
 * names ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}) and the IP literal the connection
 * arrived on (an IP literal cannot be rebound), each with the port the connection arrived on; the
 * allow-list ({@code TOLLGATE_ADMIN_ALLOWED_HOSTS}: {@code name} = any port, {@code name:port} =
 * that port); and, for {@code Origin} only, the configured CORS origins.
 *
 * @param allowedHosts lower-case {@code name} or {@code name:port} entries
 * @param corsOrigins origins as browsers send them: {@code scheme://host[:port]}, default port
 *     omitted, lower case
 */
record OwnOrigins(List<String> allowedHosts, List<String> corsOrigins) {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-f:.]+]");
  private static final Pattern NAME = Pattern.compile("[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?");

  /**
   * Validates and normalizes the settings.
   *
   * @throws IllegalArgumentException naming the setting and the bad entry
   */
  static OwnOrigins of(List<String> allowedHosts, List<String> corsOrigins) {
    List<String> hosts = new ArrayList<>();
    for (String entry : allowedHosts) {
      String host = entry.trim().toLowerCase(Locale.ROOT);
      if (host.isEmpty()) {
        continue;
      }
      if (parseAuthority(host, 0).isEmpty()) {
        throw new IllegalArgumentException(
            "TOLLGATE_ADMIN_ALLOWED_HOSTS: '" + entry + "' is not a host name or name:port");
      }
      hosts.add(host);
    }
    List<String> origins = new ArrayList<>();
    for (String entry : corsOrigins) {
      if (entry.isBlank()) {
        continue;
      }
      origins.add(
          parseOrigin(entry.trim())
              .map(Origin::serialized)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "TOLLGATE_ADMIN_CORS_ORIGINS: '"
                              + entry
                              + "' is not an origin (http[s]://host[:port], no path, no *)")));
    }
    return new OwnOrigins(List.copyOf(hosts), List.copyOf(origins));
  }

  /**
   * Whether a {@code Host} header names this control plane.
   *
   * @param host the header's value
   * @param localAddress the IP the connection arrived on ({@code ServletRequest.getLocalAddr})
   * @param localPort the port it arrived on
   * @param secure whether it is https (the default port when the header has none)
   */
  boolean ownHost(String host, String localAddress, int localPort, boolean secure) {
    return parseAuthority(host.trim().toLowerCase(Locale.ROOT), secure ? 443 : 80)
        .filter(a -> own(a, localAddress, localPort))
        .isPresent();
  }

  /** Whether an {@code Origin} header is this control plane's own or a configured CORS origin. */
  boolean allowedOrigin(String origin, String localAddress, int localPort) {
    return parseOrigin(origin.trim())
        .filter(
            o ->
                corsOrigins.contains(o.serialized()) || own(o.authority(), localAddress, localPort))
        .isPresent();
  }

  private boolean own(Authority a, String localAddress, int localPort) {
    if (a.port() == localPort
        && (a.host().equals("localhost")
            || a.host().equals("127.0.0.1")
            || sameAddress(a.host(), "[::1]")
            || sameAddress(a.host(), localAddress))) {
      return true;
    }
    return allowedHosts.stream()
        .anyMatch(e -> e.equals(a.host()) || e.equals(a.host() + ":" + a.port()));
  }

  /** Compares IP literals without a DNS lookup; a name never equals an address. */
  private static boolean sameAddress(String host, String address) {
    Optional<InetAddress> a = literal(host);
    return a.isPresent() && a.equals(literal(address));
  }

  private static Optional<InetAddress> literal(String host) {
    if (host == null) {
      return Optional.empty();
    }
    String h = host.toLowerCase(Locale.ROOT);
    boolean bracketed = IPV6.matcher(h).matches();
    boolean bareV6 = h.contains(":") && !bracketed;
    boolean v4 = IPV4.matcher(h).matches();
    if (!bracketed && !bareV6 && !v4) {
      return Optional.empty();
    }
    if (v4 && Arrays.stream(h.split("\\.")).anyMatch(octet -> Integer.parseInt(octet) > 255)) {
      return Optional.empty();
    }
    try {
      // Only literals reach here, so this parses and never resolves.
      return Optional.of(InetAddress.getByName(bareV6 ? "[" + h + "]" : h));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** {@code host[:port]}, host a DNS name, an IPv4 literal or a bracketed IPv6 literal. */
  private static Optional<Authority> parseAuthority(String authority, int defaultPort) {
    String host = authority;
    int port = defaultPort;
    int colon = authority.lastIndexOf(':');
    if (colon > authority.lastIndexOf(']')) {
      host = authority.substring(0, colon);
      String digits = authority.substring(colon + 1);
      if (!digits.matches("\\d{1,5}") || Integer.parseInt(digits) > 65535) {
        return Optional.empty();
      }
      port = Integer.parseInt(digits);
    }
    boolean valid =
        IPV6.matcher(host).matches() ? literal(host).isPresent() : NAME.matcher(host).matches();
    return valid ? Optional.of(new Authority(host, port)) : Optional.empty();
  }

  private static Optional<Origin> parseOrigin(String origin) {
    try {
      URI uri = new URI(origin);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      boolean bare =
          uri.getRawUserInfo() == null
              && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
              && uri.getRawQuery() == null
              && uri.getRawFragment() == null
              && uri.getHost() != null;
      if (!bare || !(scheme.equals("http") || scheme.equals("https"))) {
        return Optional.empty();
      }
      int defaultPort = scheme.equals("https") ? 443 : 80;
      String host = uri.getHost().toLowerCase(Locale.ROOT);
      int port = uri.getPort() == -1 ? defaultPort : uri.getPort();
      return parseAuthority(host + ":" + port, defaultPort)
          .map(a -> new Origin(scheme, a, defaultPort));
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  private record Authority(String host, int port) {}

  private record Origin(String scheme, Authority authority, int defaultPort) {
    /** As a browser sends it: the default port omitted. */
    String serialized() {
      return scheme
          + "://"
          + authority.host()
          + (authority.port() == defaultPort ? "" : ":" + authority.port());
    }
  }
}
