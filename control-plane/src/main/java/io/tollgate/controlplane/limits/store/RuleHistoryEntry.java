package io.tollgate.controlplane.limits.store;

import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.RuleSource;
import java.time.Instant;

/**
 * One change of one rule.
 *
 * @param revision pass it to {@code POST /api/v1/limits/{name}/restore?revision=N}
 * @param at when it was committed
 * @param actor who made it: the token principal, "anonymous", or "file"
 * @param change created, updated or deleted
 * @param name the rule
 * @param source who owned the rule after the change (before it, for a deletion)
 * @param before the rule before the change, null on creation
 * @param after the rule after the change, null on deletion
 */
public record RuleHistoryEntry(
    long revision,
    Instant at,
    String actor,
    String change,
    String name,
    RuleSource source,
    LimitRule before,
    LimitRule after) {}
