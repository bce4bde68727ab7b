package io.tollgate.controlplane.limits.store;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The version of the whole rule set. Bumping it row-locks it until commit, which also serializes
 * rule changes across control-plane replicas sharing the database, so an {@code If-Match} check
 * made after the bump cannot race with another writer.
 */
@Repository
class RulesVersionStore {

  private final JdbcTemplate jdbc;

  RulesVersionStore(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** Increments the version in the current transaction and returns the new value. */
  long bump() {
    jdbc.update("UPDATE limit_rules_state SET version = version + 1 WHERE id = 1");
    return current();
  }

  long current() {
    Long version =
        jdbc.queryForObject("SELECT version FROM limit_rules_state WHERE id = 1", Long.class);
    return version == null ? 0 : version;
  }
}
