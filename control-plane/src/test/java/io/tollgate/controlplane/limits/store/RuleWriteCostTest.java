package io.tollgate.controlplane.limits.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.RuleSet;
import io.tollgate.controlplane.limits.TestRules;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.stream.IntStream;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A rule write and the reload after it cost the same at {@value #RULES} rules as at none: the write
 * reads one row by primary key, the reload the rows written since the set it holds (issue 12: ten
 * thousand rules through REST in under a minute).
 */
@SpringBootTest(
    properties = {
      "spring.datasource.url=jdbc:h2:mem:rule-write-cost;DB_CLOSE_DELAY=-1",
      "spring.jpa.properties.hibernate.generate_statistics=true",
      "tollgate.xds.port=0",
      "tollgate.config=src/test/resources/golden/http-mock.in.yaml",
      // No version polling: the only background loads are the publishes of the writes below.
      "tollgate.limits.poll-interval=1h"
    })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RuleWriteCostTest {

  private static final int RULES = 500;

  @Autowired LimitRuleService rules;
  @Autowired LimitRulesWatcher watcher;
  @Autowired RulesVersionStore versions;
  @Autowired EntityManagerFactory entityManagerFactory;

  private int created;

  @BeforeAll
  void manyRules() {
    rules.importRules(IntStream.range(0, RULES).mapToObj(i -> rule("bulk-" + i)).toList());
    settle();
  }

  @Test
  void aReloadAfterOneWriteReadsThatWriteNotTheTable() {
    RuleSet held = rules.snapshot(RuleSet.EMPTY);
    rules.create(rule("one-more"));
    settle();
    Statistics stats = statistics();
    stats.clear();

    RuleSet next = rules.snapshot(held);
    long rows = rowsRead(stats);

    assertThat(next).isEqualTo(rules.snapshot());
    assertThat(next.rules()).hasSize(held.rules().size() + 1);
    // The written row and the row count; reading every rule's stamp was held.size() rows.
    assertThat(rows).as("rows read by the reload").isLessThanOrEqualTo(2);
  }

  @Test
  void aCreateReadsOneRowByKeyAndInsertsTheRuleAndItsHistory() {
    long fewest = Long.MAX_VALUE;
    // The statistics are shared with the background publish each write triggers: it only adds, so
    // the cheapest of three bounds a create's own cost from above.
    for (int i = 0; i < 3; i++) {
      Statistics stats = statistics();
      stats.clear();
      rules.create(rule("created-" + created++));
      fewest = Math.min(fewest, stats.getPrepareStatementCount());
      settle();
    }
    // Its lookup by key, then the rule, the revision and the audit row. An existsById count and
    // the select of a merge (the name is assigned, so saving a new rule merged) made five.
    assertThat(fewest).as("statements of one create").isLessThanOrEqualTo(4);
  }

  /** Waits until the background publish has loaded every write. */
  private void settle() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> watcher.current().version() == versions.current());
  }

  private static long rowsRead(Statistics stats) {
    long rows = 0;
    for (String query : stats.getQueries()) {
      rows += stats.getQueryStatistics(query).getExecutionRowCount();
    }
    return rows;
  }

  private Statistics statistics() {
    return entityManagerFactory.unwrap(SessionFactory.class).getStatistics();
  }

  private static LimitRule rule(String name) {
    return TestRules.rule(name).pathPrefix("/" + name + "/").byIp().perMinute(100).build();
  }
}
