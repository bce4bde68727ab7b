package io.tollgate.controlplane.routing.store;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * One change of a REST upstream or route.
 *
 * @param revision what {@code POST .../restore?revision=} takes
 * @param change created, updated or deleted
 * @param before the entry before the change; null when created, or when that revision is beyond the
 *     page
 * @param after the entry after it; null when deleted
 */
public record RoutingHistoryEntry(
    long revision,
    Instant time,
    String actor,
    String change,
    String name,
    JsonNode before,
    JsonNode after) {}
