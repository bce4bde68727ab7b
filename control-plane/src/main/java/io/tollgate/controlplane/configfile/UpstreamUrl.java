package io.tollgate.controlplane.configfile;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * An upstream's {@code url}: {@code http[s]://host[:port]} and nothing else, so that a path or a
 * query cannot be silently dropped.
 *
 * @param host lower case, an IPv6 literal without brackets
 */
record UpstreamUrl(boolean tls, String host, int port) {

  /**
   * @throws IllegalArgumentException saying what is wrong with {@code url}
   */
  static UpstreamUrl parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("scheme must be http or https, got '" + scheme + "'");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("must have a host, got '" + url + "'");
    }
    if (uri.getUserInfo() != null
        || uri.getQuery() != null
        || uri.getFragment() != null
        || !(uri.getPath().isEmpty() || uri.getPath().equals("/"))) {
      throw new IllegalArgumentException(
          "must be scheme://host[:port] only, without user, path, query or fragment");
    }
    boolean tls = scheme.equals("https");
    int port = uri.getPort() == -1 ? UpstreamSpec.defaultPort(tls) : uri.getPort();
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
    }
    String host = uri.getHost();
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    return new UpstreamUrl(tls, host.toLowerCase(Locale.ROOT), port);
  }
}
