package io.tollgate.controlplane.limits.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.RuleSet;
import io.tollgate.controlplane.limits.TestRules;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The incremental reload (only new or changed definitions are read) gives exactly what a full load
 * gives, after creations, replacements and deletions, on the real database.
 */
@SpringBootTest(
    properties = {
      "spring.datasource.url=jdbc:h2:mem:rule-set-reload;DB_CLOSE_DELAY=-1",
      "tollgate.xds.port=0",
      "tollgate.config=src/test/resources/golden/http-mock.in.yaml"
    })
class RuleSetReloadTest {

  @Autowired LimitRuleService service;
  @Autowired JdbcTemplate jdbc;

  @BeforeEach
  void empty() {
    LimitRuleTables.empty(jdbc);
  }

  @Test
  void aReloadFromAnEarlierSetEqualsAFullLoad() {
    RuleSet none = service.snapshot(RuleSet.EMPTY);
    service.create(rule("a", 1));
    service.create(rule("b", 1));
    RuleSet first = service.snapshot(none);
    assertThat(first).isEqualTo(service.snapshot());

    service.replace("a", rule("a", 2), new IfMatch("*"));
    service.delete("b", new IfMatch("*"));
    service.create(rule("c", 3));
    RuleSet second = service.snapshot(first);

    assertThat(second).isEqualTo(service.snapshot());
    assertThat(second.rules()).extracting(r -> r.rule().name()).containsExactly("a", "c");
    assertThat(second.rules().get(0).rule().limit().requests()).isEqualTo(2);
    assertThat(service.snapshot(second)).isEqualTo(second);
  }

  private static LimitRule rule(String name, long requests) {
    return TestRules.rule(name).pathPrefix("/" + name + "/").byIp().perMinute(requests).build();
  }
}
