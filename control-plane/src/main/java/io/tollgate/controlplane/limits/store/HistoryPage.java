package io.tollgate.controlplane.limits.store;

import java.util.List;
import java.util.Optional;

/**
 * One page of history.
 *
 * @param entries newest first
 * @param next where the following page starts; empty on the last page
 */
public record HistoryPage(List<RuleHistoryEntry> entries, Optional<HistoryCursor> next) {}
