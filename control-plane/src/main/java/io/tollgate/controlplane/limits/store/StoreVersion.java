package io.tollgate.controlplane.limits.store;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The version of all entries of one store (access entries; upstreams and routes), in one row
 * ({@code id = 1}) of its state table. A change takes the next version with the row locked (SELECT
 * ... FOR UPDATE) until commit, so writers on replicas sharing the database take turns and the
 * checks made after it (If-Match, the other entries) cannot race; replicas poll {@link #current()}.
 */
public class StoreVersion {

  private final JdbcTemplate jdbc;
  private final String table;

  protected StoreVersion(JdbcTemplate jdbc, String table) {
    this.jdbc = jdbc;
    this.table = table;
  }

  /** The next version, reserved in the current transaction. */
  public long next() {
    long next = read(" FOR UPDATE") + 1;
    jdbc.update("UPDATE " + table + " SET version = ? WHERE id = 1", next);
    return next;
  }

  public long current() {
    return read("");
  }

  private long read(String lock) {
    Long version =
        jdbc.queryForObject("SELECT version FROM " + table + " WHERE id = 1" + lock, Long.class);
    return version == null ? 0 : version;
  }
}
