package io.tollgate.controlplane.xds.translate;

/** Names of the Envoy resources and extensions Tollgate's snapshot uses. */
public final class EnvoyNames {

  /** The listener every client connects to. */
  public static final String LISTENER = "tollgate_http";

  /** The route configuration the listener fetches over RDS. */
  public static final String ROUTE_CONFIGURATION = "tollgate_routes";

  /** The single virtual host (every domain). */
  public static final String VIRTUAL_HOST = "tollgate";

  /** Prefix of the connection manager's stats ({@code http.tollgate.*}). */
  public static final String STAT_PREFIX = "tollgate";

  /** The {@code server} header clients see instead of the upstream's. */
  public static final String SERVER_NAME = "tollgate";

  public static final String HTTP_CONNECTION_MANAGER =
      "envoy.filters.network.http_connection_manager";
  public static final String ROUTER = "envoy.filters.http.router";
  public static final String CACHE_FILTER = "envoy.filters.http.cache";

  /**
   * Envoy's response code details of an answer the cache filter served (also after a successful
   * revalidation): what the hit/miss header and the statistics read.
   */
  public static final String CACHE_HIT_DETAILS = "cache.response_from_cache_filter";

  /** The header_mutation filter that sets {@code x-tollgate-cache} on cached routes. */
  public static final String CACHE_STATUS_FILTER = "tollgate.cache_status";

  public static final String TLS_TRANSPORT_SOCKET = "envoy.transport_sockets.tls";
  public static final String DNS_CLUSTER = "envoy.clusters.dns";
  public static final String PREVIOUS_HOSTS = "envoy.retry_host_predicates.previous_hosts";
  public static final String TRANSPORT_SOCKET_MATCH = "envoy.transport_socket_match";
  public static final String HTTP_PROTOCOL_OPTIONS =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private EnvoyNames() {}
}
