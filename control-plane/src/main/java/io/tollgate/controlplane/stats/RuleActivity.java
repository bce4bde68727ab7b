package io.tollgate.controlplane.stats;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

/**
 * Per rule, what it did lately: calls it blocked (429) and calls a shadow-mode rule would have
 * blocked, over the last minute and the last hour. Read from the access log's statistics (the
 * {@link Dimension#RULE} and {@link Dimension#SHADOW_RULE} keys), so a replica shows what every
 * replica sharing the database stored plus what it holds in memory.
 */
@Service
public class RuleActivity {

  /** At most this many rules are listed (the rule dimension's top-K bound). */
  static final int MAX_RULES = 1000;

  private final StatsQueries queries;
  private final Clock clock;

  @Autowired
  RuleActivity(StatsQueries queries) {
    this(queries, Clock.systemUTC());
  }

  RuleActivity(StatsQueries queries, Clock clock) {
    this.queries = queries;
    this.clock = clock;
  }

  /**
   * @param blocked calls the rule answered with 429
   * @param shadow calls over its limit that shadow mode let pass
   */
  public record Counts(long blocked, long shadow) {}

  /**
   * @param rule the rule's name ("(unnamed)" for blocks the rate-limit service did not name)
   * @param lastMinute the current and the previous minute (whole minutes: 60 to 120 s)
   * @param lastHour the last 60 minutes plus the current one
   */
  public record Activity(String rule, Counts lastMinute, Counts lastHour) {}

  public List<Activity> recent() {
    Instant now = clock.instant();
    Map<String, Counts> minute = counts(now.minus(Duration.ofMinutes(1)), now);
    Map<String, Counts> hour = counts(now.minus(Duration.ofHours(1)), now);
    return hour.entrySet().stream()
        .map(
            e ->
                new Activity(
                    e.getKey(), minute.getOrDefault(e.getKey(), new Counts(0, 0)), e.getValue()))
        .toList();
  }

  private Map<String, Counts> counts(Instant from, Instant to) {
    Map<String, Counts> out = new TreeMap<>();
    queries
        .top(Dimension.RULE, MAX_RULES, from, to)
        .forEach(k -> out.put(k.key(), new Counts(k.requests(), 0)));
    queries
        .top(Dimension.SHADOW_RULE, MAX_RULES, from, to)
        .forEach(
            k ->
                out.merge(
                    k.key(),
                    new Counts(0, k.requests()),
                    (a, b) -> new Counts(a.blocked(), b.shadow())));
    return out;
  }
}
