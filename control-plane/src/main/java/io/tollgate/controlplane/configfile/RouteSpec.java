package io.tollgate.controlplane.configfile;

/**
 * Sends the requests whose path matches to one upstream.
 *
 * @param name unique; names the Envoy route (stats, logs)
 * @param match which paths
 * @param upstream the name of an {@link UpstreamSpec}
 */
public record RouteSpec(String name, PathMatch match, String upstream) {}
