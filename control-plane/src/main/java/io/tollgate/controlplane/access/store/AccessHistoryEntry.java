package io.tollgate.controlplane.access.store;

import io.tollgate.controlplane.access.AccessRule;
import io.tollgate.controlplane.limits.store.EntityHistory;
import java.time.Instant;

/**
 * One change of an access entry.
 *
 * @param revision what {@code POST .../restore?revision=} takes
 * @param change created, updated or deleted
 * @param before the entry before the change; null when created, or when that revision is beyond the
 *     page
 * @param after the entry after it; null when deleted
 */
public record AccessHistoryEntry(
    long revision,
    Instant time,
    String actor,
    String change,
    String name,
    AccessRule before,
    AccessRule after) {

  static AccessHistoryEntry of(String name, EntityHistory.Change<AccessRule> change) {
    return new AccessHistoryEntry(
        change.revision(),
        change.time(),
        change.actor(),
        change.change(),
        name,
        change.before(),
        change.after());
  }
}
