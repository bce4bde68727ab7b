package io.tollgate.controlplane.access;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A request header condition: {@code exact} requires that value, {@code present: true} only that
 * the header is there (exactly one of them).
 *
 * @param name lower-case header name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AccessHeader(String name, String exact, Boolean present) {}
