package io.tollgate.controlplane.limits.store;

import org.springframework.jdbc.core.JdbcTemplate;

/** The rule tables of a test's shared database, emptied so each test starts from no rules. */
public final class LimitRuleTables {

  private LimitRuleTables() {}

  /** Audit rows first: they reference revisions. */
  public static void empty(JdbcTemplate jdbc) {
    jdbc.update("DELETE FROM limit_rule_aud");
    jdbc.update("DELETE FROM limit_rule_revision");
    jdbc.update("DELETE FROM limit_rule");
  }
}
