package io.tollgate.e2e;

import static io.tollgate.e2e.LimitsSuite.IP1;
import static io.tollgate.e2e.LimitsSuite.assertForwarded;
import static io.tollgate.e2e.LimitsSuite.assertLimited;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many rules cost a request only the rules on its path (issue 12): 2,000 rules on other paths
 * created through REST within a deadline, and then a rule on {@code /a/} is still enforced, a
 * request on an unrelated path calls the rate-limit service not at all, a request on a rule's path
 * sends exactly that rule's descriptors, and the burst of writes reached Envoy as far fewer route
 * configurations than writes (coalescing). Real Envoy, control plane, rate-limit service, mock.
 */
@ExtendWith(SharedStack.class)
class RulesAtScaleIT {

  private static final int OTHER_RULES = 2000;

  /** Generous for a shared 2-core machine under a load of 30 (168 s seen); far less when quiet. */
  private static final Duration CREATE_DEADLINE = Duration.ofSeconds(300);

  private static final String ROUTE_UPDATES = "rds.tollgate_routes.update_success";
  private static final String RATELIMIT_CALLS = "cluster.tollgate_ratelimit.upstream_rq_total";

  private final LimitsStack stack;

  RulesAtScaleIT(LimitsStack stack) {
    this.stack = stack;
  }

  @Test
  void manyRulesOnOtherPathsLeaveOneRulesCostAndEnforcementAsTheyWere() {
    long updatesBefore = stack.envoyCounterSum(ROUTE_UPDATES);
    long started = System.nanoTime();
    for (int i = 0; i < OTHER_RULES; i++) {
      String match =
          i % 2 == 0
              ? "\"pathPrefix\":\"/other/%04d/\"".formatted(i)
              : "\"path\":\"/exact/%04d\"".formatted(i);
      stack.create(
          """
          {"name":"other-%04d","match":{%s},"by":["ip"],"limit":{"requests":1000,"per":"second"}}"""
              .formatted(i, match));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    System.out.printf(
        "RulesAtScaleIT: %d rules created through REST in %d ms (load %s)%n",
        OTHER_RULES, took.toMillis(), loadAverage());
    assertThat(took).isLessThan(CREATE_DEADLINE);

    stack.create(
        """
        {"name":"a","match":{"pathPrefix":"/a/"},"limit":{"requests":0,"per":"minute"}}""");
    stack.create(
        """
        {"name":"e-exact","match":{"path":"/e/x"},"limit":{"requests":0,"per":"minute"}}""");
    long last =
        stack.create(
            """
            {"name":"e-all","match":{"pathPrefix":"/e/"},"limit":{"requests":1000,"per":"second"}}""");
    stack.awaitApplied(last);

    // (c) the burst reached Envoy as a few route configurations, not one per write
    long routeUpdates = stack.envoyCounterSum(ROUTE_UPDATES) - updatesBefore;
    System.out.printf(
        "RulesAtScaleIT: %d writes reached Envoy as %d route configurations%n",
        OTHER_RULES + 3, routeUpdates);
    assertThat(routeUpdates).isPositive().isLessThan(OTHER_RULES / 5);

    // (a) enforced on its path, nothing on an unrelated one
    awaitLimited("/a/x", Map.of(), "\"a\"");
    long callsBefore = stack.envoyCounterSum(RATELIMIT_CALLS);
    long hitsBefore = totalHits(null);
    for (int i = 0; i < 5; i++) {
      assertForwarded(stack.get(IP1, "/unrelated/" + i));
    }
    // (b) no rule can match there: no descriptor, so Envoy does not call the service at all
    assertThat(stack.envoyCounterSum(RATELIMIT_CALLS)).isEqualTo(callsBefore);
    assertThat(totalHits(null)).isEqualTo(hitsBefore);

    // (b) on a rule's path, one descriptor per request: that rule's, none of the 2,000 others
    long aHits = totalHits("rule_a");
    for (int i = 0; i < 3; i++) {
      assertLimited(stack.get(IP1, "/a/" + i), "\"a\"");
    }
    stack
        .gateway()
        .controlPlane()
        .process()
        .await(
            "the rate-limit service to count the 3 requests on /a/",
            Duration.ofSeconds(10),
            () -> totalHits("rule_a") == aHits + 3);
    assertThat(totalHits(null)).isEqualTo(hitsBefore + 3);

    // an exact path matches with a query string; a longer path falls back to the shorter prefix
    assertLimited(stack.get(IP1, "/e/x?q=1"), "e-exact");
    assertForwarded(stack.get(IP1, "/e/xy"));
    assertForwarded(stack.get(IP1, "/other/0000/item"));
  }

  @Test
  void aRuleWithoutAPathStillAppliesOnTheRoutesOfPathRules() {
    stack.create(
        """
        {"name":"b-all","match":{"pathPrefix":"/b/"},"limit":{"requests":1000,"per":"second"}}""");
    long last =
        stack.create(
            """
            {"name":"flagged","match":{"headers":{"x-flagged":"*"}},
             "limit":{"requests":0,"per":"minute"}}""");
    stack.awaitApplied(last);
    awaitLimited("/b/x", Map.of("x-flagged", "1"), "flagged");
    assertLimited(stack.send(IP1, "GET", "/unrelated", Map.of("x-flagged", "1")), "flagged");
    assertForwarded(stack.get(IP1, "/b/x"));
    stack.delete("flagged");
    stack.delete("b-all");
  }

  /**
   * Envoy acknowledges a route configuration before every worker runs it: on a busy machine the
   * first requests after {@link LimitsStack#awaitApplied} may still meet the previous one.
   */
  private void awaitLimited(String path, Map<String, String> headers, String rule) {
    stack
        .gateway()
        .controlPlane()
        .process()
        .await(
            path + " to be limited by " + rule,
            Duration.ofSeconds(15),
            () -> stack.send(IP1, "GET", path, headers).status() == 429);
    assertLimited(stack.send(IP1, "GET", path, headers), rule);
  }

  /** Hits the rate-limit service counted, over all rules or for one ({@code rule_<name>}). */
  private long totalHits(String ruleKey) {
    long sum = 0;
    for (String line : stack.rateLimit().metrics().split("\n")) {
      if (line.startsWith("ratelimit_service_rate_limit_total_hits{")
          && (ruleKey == null || line.contains("\"" + ruleKey + "\""))) {
        sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
      }
    }
    return sum;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
