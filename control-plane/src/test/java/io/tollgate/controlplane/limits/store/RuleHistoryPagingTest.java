package io.tollgate.controlplane.limits.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.TestRules;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** History is paged in the database: a page costs its size, whatever the size of the table. */
@SpringBootTest(
    properties = {
      "spring.datasource.url=jdbc:h2:mem:history-paging;DB_CLOSE_DELAY=-1",
      "spring.jpa.properties.hibernate.generate_statistics=true",
      "tollgate.xds.port=0",
      "tollgate.config=src/test/resources/golden/http-mock.in.yaml",
      // No version polling: the only background loads are the publishes of the writes below.
      "tollgate.limits.poll-interval=1h"
    })
@AutoConfigureMockMvc
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RuleHistoryPagingTest {

  private static final int UPDATES = 100;
  private static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");

  @Autowired MockMvc mvc;
  @Autowired LimitRuleService rules;
  @Autowired EntityManagerFactory entityManagerFactory;
  @Autowired LimitRulesWatcher watcher;
  @Autowired RulesVersionStore versions;

  /**
   * Every revision made, oldest first; each lists its changes by rule name as "name change
   * requests-before requests-after".
   */
  private final List<List<String>> made = new ArrayList<>();

  @BeforeAll
  void manyRevisions() {
    rules.create(rule("busy", 0));
    made.add(List.of("busy created null 0"));
    rules.create(rule("other", 0));
    made.add(List.of("other created null 0"));
    for (int i = 1; i <= UPDATES; i++) {
      rules.replace("busy", rule("busy", i), new IfMatch("*"));
      made.add(List.of("busy updated " + (i - 1) + " " + i));
    }
    // One revision changing three rules: a page may end inside it.
    rules.importRules(List.of(rule("busy", 1000), rule("imp-a", 1), rule("imp-b", 2)));
    made.add(
        List.of(
            "busy updated " + UPDATES + " 1000", "imp-a created null 1", "imp-b created null 2"));
    rules.delete("other", new IfMatch("*"));
    made.add(List.of("other deleted 0 null"));
    // The writes are published off this thread, loading rules through the same SessionFactory
    // whose statistics the tests read: let that settle first.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> watcher.current().version() == versions.current());
  }

  /** Newest revision first, a revision's changes by rule name. */
  private List<String> newestFirst(String prefix) {
    List<List<String>> revisions = new ArrayList<>(made);
    Collections.reverse(revisions);
    return revisions.stream().flatMap(List::stream).filter(c -> c.startsWith(prefix)).toList();
  }

  @Test
  void aSmallPageLoadsAboutItsSizeNotTheTable() throws Exception {
    Cost all =
        cheapestOf3(
            () -> {
              JsonNode page = json(mvc.perform(get("/api/v1/limits/history").param("limit", "1")));
              assertThat(page.size()).isEqualTo(1);
              assertThat(page.get(0).path("change").asString()).isEqualTo("deleted");
            });
    // Loading the whole table, as before paging, is some 210 entities (audit row and revision
    // each).
    assertThat(all.entities()).as("entities loaded").isLessThanOrEqualTo(6);
    assertThat(all.queries()).as("queries").isLessThanOrEqualTo(3);

    Cost one =
        cheapestOf3(
            () -> {
              JsonNode busy =
                  json(mvc.perform(get("/api/v1/limits/busy/history").param("limit", "5")));
              assertThat(busy.size()).isEqualTo(5);
              assertThat(busy.get(0).path("after").path("limit").path("requests").asInt())
                  .isEqualTo(1000);
              assertThat(busy.get(4).path("before").path("limit").path("requests").asInt())
                  .isEqualTo(UPDATES - 4);
            });
    assertThat(one.entities()).as("entities loaded").isLessThanOrEqualTo(16);
  }

  /** Entities loaded and queries run by one call. */
  private record Cost(long entities, long queries) {}

  /** A call that may throw, as MockMvc's do. */
  @FunctionalInterface
  private interface Call {
    void run() throws Exception;
  }

  /**
   * The statistics are the SessionFactory's, shared with any background load (a late publish): such
   * a load only adds, so the cheapest of three runs bounds the call's own cost from above.
   */
  private Cost cheapestOf3(Call call) throws Exception {
    Statistics stats = statistics();
    Cost best = null;
    for (int i = 0; i < 3; i++) {
      stats.clear();
      call.run();
      Cost cost = new Cost(stats.getEntityLoadCount(), stats.getQueryExecutionCount());
      if (best == null || cost.entities() + cost.queries() < best.entities() + best.queries()) {
        best = cost;
      }
    }
    return best;
  }

  @Test
  void followingTheNextLinksWalksEveryChangeOnceInOrder() throws Exception {
    // Three per page: the first ends inside the import's revision.
    assertThat(walk("/api/v1/limits/history?limit=3")).isEqualTo(newestFirst(""));
    assertThat(walk("/api/v1/limits/busy/history?limit=50")).isEqualTo(newestFirst("busy "));
  }

  private List<String> walk(String first) throws Exception {
    List<String> seen = new ArrayList<>();
    String url = first;
    int pages = 0;
    while (url != null) {
      assertThat(++pages).as("pages").isLessThan(1000);
      MvcResult result = mvc.perform(get(url)).andExpect(status().isOk()).andReturn();
      for (JsonNode e : JsonMapper.shared().readTree(result.getResponse().getContentAsString())) {
        seen.add(
            e.path("name").asString()
                + " "
                + e.path("change").asString()
                + " "
                + requests(e.path("before"))
                + " "
                + requests(e.path("after")));
      }
      String link = result.getResponse().getHeader("Link");
      if (link == null) {
        url = null;
      } else {
        Matcher m = NEXT.matcher(link);
        assertThat(m.matches()).as(link).isTrue();
        url = m.group(1);
      }
    }
    return seen;
  }

  private static String requests(JsonNode rule) {
    return rule.isMissingNode() || rule.isNull()
        ? "null"
        : String.valueOf(rule.path("limit").path("requests").asLong());
  }

  private JsonNode json(org.springframework.test.web.servlet.ResultActions actions)
      throws Exception {
    return JsonMapper.shared()
        .readTree(
            actions.andExpect(status().isOk()).andReturn().getResponse().getContentAsString());
  }

  private Statistics statistics() {
    return entityManagerFactory.unwrap(SessionFactory.class).getStatistics();
  }

  private static LimitRule rule(String name, long requests) {
    return TestRules.rule(name).perMinute(requests).build();
  }
}
