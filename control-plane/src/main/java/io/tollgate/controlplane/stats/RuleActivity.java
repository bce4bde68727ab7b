package io.tollgate.controlplane.stats;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

/**
 * Per rule, what it did lately: calls it counted (hits, under or over its limit), calls it blocked
 * (429) and calls a shadow-mode rule would have blocked, over the last minute and the last hour.
 * Read from the access log's statistics (the {@link Dimension#RULE_HIT}, {@link Dimension#RULE} and
 * {@link Dimension#SHADOW_RULE} keys), so a replica shows what every replica sharing the database
 * stored plus what it holds in memory.
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
   * @param hits calls the rule counted, under or over its limit
   * @param blocked calls the rule answered with 429
   * @param shadow calls over its limit that shadow mode let pass
   */
  public record Counts(
      @Schema(description = "calls the rule counted, under or over its limit") long hits,
      @Schema(description = "calls the rule answered with 429") long blocked,
      @Schema(description = "calls over its shadow-mode limit that passed") long shadow) {

    static final Counts NONE = new Counts(0, 0, 0);

    Counts plus(Counts o) {
      return new Counts(hits + o.hits, blocked + o.blocked, shadow + o.shadow);
    }
  }

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
                    e.getKey(), minute.getOrDefault(e.getKey(), Counts.NONE), e.getValue()))
        .toList();
  }

  private Map<String, Counts> counts(Instant from, Instant to) {
    Map<String, Counts> out = new TreeMap<>();
    add(out, Dimension.RULE_HIT, from, to, n -> new Counts(n, 0, 0));
    add(out, Dimension.RULE, from, to, n -> new Counts(0, n, 0));
    add(out, Dimension.SHADOW_RULE, from, to, n -> new Counts(0, 0, n));
    return out;
  }

  private void add(
      Map<String, Counts> out,
      Dimension dimension,
      Instant from,
      Instant to,
      LongFunction<Counts> counts) {
    queries
        .top(dimension, MAX_RULES, from, to)
        .forEach(k -> out.merge(k.key(), counts.apply(k.requests()), Counts::plus));
  }
}
