package io.tollgate.controlplane.limits.store;

import io.tollgate.controlplane.ControlPlaneSettings;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Prunes the rules' audit trail hourly: revisions older than {@code TOLLGATE_HISTORY_RETENTION} or
 * beyond the newest {@code TOLLGATE_HISTORY_MAX_REVISIONS}. The row a live rule is at (its newest
 * audit row) is never pruned, so its current revision stays restorable and in the history; ETags
 * live on the rule itself and are untouched. Replicas may prune concurrently: the deletes are
 * idempotent.
 */
@Component
class HistoryRetention {

  private static final Logger log = LoggerFactory.getLogger(HistoryRetention.class);

  /** Audit rows that are a live rule's current state. */
  private static final String NOT_LIVE =
      """
      NOT (EXISTS (SELECT 1 FROM limit_rule r WHERE r.name = a.name)
           AND a.rev = (SELECT MAX(b.rev) FROM limit_rule_aud b WHERE b.name = a.name))""";

  private final JdbcTemplate jdbc;
  private final ControlPlaneSettings.History settings;
  private final Clock clock;

  HistoryRetention(JdbcTemplate jdbc, ControlPlaneSettings settings) {
    this.jdbc = jdbc;
    this.settings = settings.history();
    this.clock = Clock.systemUTC();
  }

  @Scheduled(initialDelay = 1, fixedDelay = 60, timeUnit = TimeUnit.MINUTES)
  void scheduled() {
    try {
      prune();
    } catch (DataAccessException e) {
      log.warn("rules history: pruning failed, retrying in an hour: {}", e.toString());
    }
  }

  /** Returns how many audit rows were deleted. */
  @Transactional
  public int prune() {
    long olderThan = clock.millis() - settings.retention().toMillis();
    // The oldest revision of the newest maxRevisions; none when there are fewer.
    List<Long> oldestKept =
        jdbc.queryForList(
            "SELECT id FROM limit_rule_revision ORDER BY id DESC OFFSET ? ROWS FETCH NEXT 1 ROWS"
                + " ONLY",
            Long.class,
            settings.maxRevisions() - 1);
    long belowCount = oldestKept.isEmpty() ? 0 : oldestKept.get(0);
    int rows =
        jdbc.update(
            "DELETE FROM limit_rule_aud a WHERE (a.rev < ? OR a.rev IN (SELECT v.id FROM"
                + " limit_rule_revision v WHERE v.revision_time < ?)) AND "
                + NOT_LIVE,
            belowCount,
            olderThan);
    int revisions =
        jdbc.update(
            "DELETE FROM limit_rule_revision v WHERE (v.id < ? OR v.revision_time < ?) AND NOT"
                + " EXISTS (SELECT 1 FROM limit_rule_aud a WHERE a.rev = v.id)",
            belowCount,
            olderThan);
    if (rows > 0 || revisions > 0) {
      log.info(
          "rules history: pruned {} change(s) in {} revision(s) (retention {}, at most {}"
              + " revisions)",
          rows,
          revisions,
          settings.retention(),
          settings.maxRevisions());
    }
    return rows;
  }
}
