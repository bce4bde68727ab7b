package io.tollgate.controlplane.limits;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tollgate.controlplane.limits.validation.LimitRuleValidator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One limit rule of the REST model (docs/architecture.md, "The models"). Optional parts get their
 * defaults here: {@code match} every request, {@code by} one shared counter, {@code mode} enforce,
 * {@code enabled} true, {@code accuracy} exact, {@code algorithm} fixed window. Required parts
 * ({@code name}, {@code limit}) may be null until {@link LimitRuleValidator} has accepted the rule.
 *
 * @param name unique, DNS-label-like; names the rule in descriptors, 429 bodies and metrics
 * @param match which requests the rule applies to
 * @param by what each counter is keyed by: {@code ip}, {@code path}, {@code method}, {@code
 *     header:NAME} (requests without the header share one counter), {@code header-if-present:NAME}
 *     (requests without it are not counted), in this order
 * @param limit how many requests per window
 * @param mode enforce or shadow
 * @param enabled a disabled rule is kept but produces no configuration
 * @param accuracy which tier enforces it: exact (a rate-limit call per request) or approximate
 *     (Envoy's quota buckets, no call per request)
 * @param algorithm how the rate-limit service counts the window: fixed or sliding (a {@code
 *     limit.burst} makes it a token bucket, with the fixed default only)
 */
// The read-only fields a GET adds are ignored when read, so what a GET returns can be PUT back.
@JsonIgnoreProperties(value = {"source", "version", "status"})
public record LimitRule(
    String name,
    Match match,
    List<String> by,
    Limit limit,
    Mode mode,
    boolean enabled,
    Accuracy accuracy,
    Algorithm algorithm) {

  public LimitRule {
    match = match == null ? Match.ALL : match;
    by = by == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(by));
    mode = mode == null ? Mode.ENFORCE : mode;
    accuracy = accuracy == null ? Accuracy.EXACT : accuracy;
    algorithm = algorithm == null ? Algorithm.FIXED_WINDOW : algorithm;
  }

  /** A fixed-window rule (or a token bucket, with a burst). */
  public LimitRule(
      String name,
      Match match,
      List<String> by,
      Limit limit,
      Mode mode,
      boolean enabled,
      Accuracy accuracy) {
    this(name, match, by, limit, mode, enabled, accuracy, Algorithm.FIXED_WINDOW);
  }

  /**
   * The JSON creator: absent optional fields take their defaults ({@code enabled} true); an
   * explicit null is refused by {@link LimitRuleJson}'s mapper before this runs.
   */
  @JsonCreator
  static LimitRule fromJson(
      @JsonProperty("name") String name,
      @JsonProperty("match") Match match,
      @JsonProperty("by") List<String> by,
      @JsonProperty("limit") Limit limit,
      @JsonProperty("mode") Mode mode,
      @JsonProperty("enabled") Boolean enabled,
      @JsonProperty("accuracy") Accuracy accuracy,
      @JsonProperty("algorithm") Algorithm algorithm) {
    return new LimitRule(
        name, match, by, limit, mode, enabled == null || enabled, accuracy, algorithm);
  }

  /** The counter dimensions, parsed; only meaningful for a validated rule. */
  public List<CountedBy> dimensions() {
    return by.stream().map(CountedBy::parse).toList();
  }

  /** Whether the rate-limit service counts this rule in a token bucket. */
  public boolean bursts() {
    return limit != null && limit.burst() != null;
  }

  /** Whether the approximate tier enforces this rule. */
  public boolean approximate() {
    return accuracy == Accuracy.APPROXIMATE;
  }
}
