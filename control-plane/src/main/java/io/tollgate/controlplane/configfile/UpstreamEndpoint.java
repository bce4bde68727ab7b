package io.tollgate.controlplane.configfile;

/**
 * One address of an upstream.
 *
 * @param host DNS name or IP literal (IPv6 without brackets), lower case
 * @param port explicit or the scheme's default
 */
public record UpstreamEndpoint(String host, int port) {

  /** The Host header this endpoint expects: the port only when it is not the scheme's default. */
  public String authority(boolean tls) {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return port == UpstreamSpec.defaultPort(tls) ? h : h + ":" + port;
  }
}
