package io.tollgate.controlplane.routing.store;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The version of all REST upstreams and routes, in one row, locked (SELECT ... FOR UPDATE) by each
 * change until commit: writers on replicas sharing the database take turns, so the checks against
 * the other entries and the {@code If-Match} check cannot race; replicas poll it.
 */
@Repository
class RoutingVersion {

  private static final String TABLE = "routing_state";

  private final JdbcTemplate jdbc;

  RoutingVersion(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  long next() {
    long next = read(" FOR UPDATE") + 1;
    jdbc.update("UPDATE " + TABLE + " SET version = ? WHERE id = 1", next);
    return next;
  }

  long current() {
    return read("");
  }

  private long read(String lock) {
    Long version =
        jdbc.queryForObject("SELECT version FROM " + TABLE + " WHERE id = 1" + lock, Long.class);
    return version == null ? 0 : version;
  }
}
