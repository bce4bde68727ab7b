package io.tollgate.controlplane.limits.store;

/**
 * What tells a stored rule's definition apart without reading it: its name and version (each change
 * gives the rule the new rules version).
 */
record RuleStamp(String name, long version) {}
