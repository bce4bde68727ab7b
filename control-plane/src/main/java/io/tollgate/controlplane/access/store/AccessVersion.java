package io.tollgate.controlplane.access.store;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The version of all access entries, in one row. A change locks the row (SELECT ... FOR UPDATE)
 * until commit, so writers on replicas sharing the database take turns and an {@code If-Match}
 * check made after it cannot race.
 */
@Repository
class AccessVersion {

  private final JdbcTemplate jdbc;

  AccessVersion(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** The next version, reserved in the current transaction. */
  long next() {
    Long locked =
        jdbc.queryForObject(
            "SELECT version FROM access_rules_state WHERE id = 1 FOR UPDATE", Long.class);
    long next = (locked == null ? 0 : locked) + 1;
    jdbc.update("UPDATE access_rules_state SET version = ? WHERE id = 1", next);
    return next;
  }

  long current() {
    Long version =
        jdbc.queryForObject("SELECT version FROM access_rules_state WHERE id = 1", Long.class);
    return version == null ? 0 : version;
  }
}
