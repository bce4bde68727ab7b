package io.tollgate.controlplane.access;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A path condition: exactly one of {@code exact} or {@code prefix}, compared without the query
 * string, on the normalized path (as routes and limits see it).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AccessPath(String exact, String prefix) {}
