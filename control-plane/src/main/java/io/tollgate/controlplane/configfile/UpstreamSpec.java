package io.tollgate.controlplane.configfile;

import java.time.Duration;
import java.util.Optional;

/**
 * An API the proxy forwards to.
 *
 * @param name unique; becomes the Envoy cluster name (and so the stats prefix)
 * @param tls whether the URL scheme was https
 * @param host DNS name or IP literal (IPv6 without brackets)
 * @param port explicit or the scheme's default
 * @param caFile CA bundle on the Envoy host that verifies the upstream; empty means the system one
 * @param connectTimeout TCP (and TLS) connect timeout
 * @param timeout whole-request timeout
 */
public record UpstreamSpec(
    String name,
    boolean tls,
    String host,
    int port,
    Optional<String> caFile,
    Duration connectTimeout,
    Duration timeout) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  /** The Host header the upstream expects: the port only when it is not the scheme's default. */
  public String authority() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return port == defaultPort(tls) ? h : h + ":" + port;
  }

  static int defaultPort(boolean tls) {
    return tls ? 443 : 80;
  }
}
