package io.tollgate.controlplane.stats;

/**
 * Requests counted for one key of a dimension.
 *
 * @param key the IP, path, rule, status code... or {@link Dimension#OTHER}
 * @param requests requests with that key
 * @param rateLimited of those, how many were blocked
 */
public record KeyCount(String key, long requests, long rateLimited) {}
