package io.tollgate.controlplane.limits.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.TestRules;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.MockMvc;

/** Pruning keeps the newest revisions and what is recent, and always each live rule's own. */
@SpringBootTest(
    properties = {
      "spring.datasource.url=jdbc:h2:mem:history-retention;DB_CLOSE_DELAY=-1",
      "tollgate.history.max-revisions=5",
      "tollgate.history.retention=30d",
      "tollgate.xds.port=0",
      "tollgate.config=src/test/resources/golden/http-mock.in.yaml"
    })
@AutoConfigureMockMvc
class HistoryRetentionTest {

  @Autowired MockMvc mvc;
  @Autowired JdbcTemplate jdbc;
  @Autowired LimitRuleService rules;
  @Autowired HistoryRetention retention;

  @BeforeEach
  void empty() {
    LimitRuleTables.empty(jdbc);
  }

  @Test
  void beyondTheCountOnlyTheNewestRevisionsAndEachLiveRulesOwnStay() throws Exception {
    String quietEtag = rules.create(rule("quiet", 1)).etag();
    long quietRevision = newest("quiet");
    rules.create(rule("gone", 1));
    long goneRevision = newest("gone");
    rules.delete("gone", new IfMatch("*"));
    rules.create(rule("busy", 0));
    for (int i = 1; i <= 9; i++) {
      rules.replace("busy", rule("busy", i), new IfMatch("*"));
    }
    assertThat(count("limit_rule_revision")).isEqualTo(13);

    assertThat(retention.prune()).isEqualTo(13 - 6);

    // The five newest (busy's) and quiet's: it is live and that is the revision it is at.
    assertThat(count("limit_rule_revision")).isEqualTo(6);
    assertThat(
            jdbc.queryForList(
                "SELECT DISTINCT name FROM limit_rule_aud ORDER BY name", String.class))
        .containsExactly("busy", "quiet");
    mvc.perform(get("/api/v1/limits/quiet"))
        .andExpect(status().isOk())
        .andExpect(header().string("ETag", quietEtag));
    mvc.perform(get("/api/v1/limits/busy/history"))
        .andExpect(jsonPath("$.length()").value(5))
        .andExpect(jsonPath("$[4].change").value("updated"))
        .andExpect(jsonPath("$[4].before").doesNotExist())
        .andExpect(jsonPath("$[4].after.limit.requests").value(5))
        .andExpect(jsonPath("$[3].before.limit.requests").value(5));
    mvc.perform(
            post("/api/v1/limits/gone/restore")
                .param("revision", "" + goneRevision)
                .header("If-None-Match", "*"))
        .andExpect(status().isNotFound())
        .andExpect(jsonPath("$.field").value("revision"));
    mvc.perform(
            post("/api/v1/limits/quiet/restore")
                .param("revision", "" + quietRevision)
                .header("If-Match", quietEtag))
        .andExpect(status().isOk());

    // quiet is at its new revision now, so its old one goes too.
    assertThat(retention.prune()).as("pruning again").isEqualTo(2);
  }

  @Test
  void pastTheRetentionOnlyEachLiveRulesOwnRevisionStays() {
    rules.create(rule("a", 1));
    rules.replace("a", rule("a", 2), new IfMatch("*"));
    rules.replace("a", rule("a", 3), new IfMatch("*"));
    rules.create(rule("b", 1));
    jdbc.update(
        "UPDATE limit_rule_revision SET revision_time = revision_time - ?",
        Duration.ofDays(40).toMillis());
    rules.create(rule("c", 1));

    assertThat(retention.prune()).isEqualTo(2);

    assertThat(jdbc.queryForList("SELECT name FROM limit_rule_aud ORDER BY name", String.class))
        .isEqualTo(List.of("a", "b", "c"));
    assertThat(newest("a"))
        .isEqualTo(jdbc.queryForObject("SELECT MIN(id) FROM limit_rule_revision", Long.class));
    assertThat(count("limit_rule_revision")).isEqualTo(3);
  }

  private int count(String table) {
    return jdbc.queryForObject("SELECT COUNT(*) FROM " + table, Integer.class);
  }

  private long newest(String name) {
    return jdbc.queryForObject(
        "SELECT MAX(rev) FROM limit_rule_aud WHERE name = ?", Long.class, name);
  }

  private static LimitRule rule(String name, long requests) {
    return TestRules.rule(name).perMinute(requests).build();
  }
}
