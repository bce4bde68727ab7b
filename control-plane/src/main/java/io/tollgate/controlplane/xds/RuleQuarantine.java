package io.tollgate.controlplane.xds;

import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.xds.translate.DescriptorStep;
import io.tollgate.controlplane.xds.translate.RuleDescriptors;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Rules Envoy rejected, held out of the served configuration so that one bad rule never blocks the
 * others. A rule is held for the definition Envoy rejected: changing it (or deleting it) releases
 * it, and the new definition is tried. Held in memory by the replica that saw the NACK.
 */
@Component
public class RuleQuarantine {

  /**
   * Why a rule is not served.
   *
   * @param rule the definition Envoy rejected
   * @param message Envoy's reason
   * @param at when
   */
  public record Rejection(LimitRule rule, String message, Instant at) {}

  private final Map<String, Rejection> rejected = new ConcurrentHashMap<>();
  private final Clock clock;

  @Autowired
  RuleQuarantine() {
    this(Clock.systemUTC());
  }

  RuleQuarantine(Clock clock) {
    this.clock = clock;
  }

  /** Why {@code rule}, in exactly this definition, is held out; empty when it is served. */
  public Optional<Rejection> rejection(LimitRule rule) {
    Rejection r = rejected.get(rule.name());
    return r != null && r.rule().equals(rule) ? Optional.of(r) : Optional.empty();
  }

  /** The rules that may be served: {@code rules} without the held ones. */
  List<LimitRule> servable(Collection<LimitRule> rules) {
    return rules.stream().filter(r -> rejection(r).isEmpty()).toList();
  }

  /** Forgets rules deleted or changed since they were rejected. */
  void retainCurrent(Collection<LimitRule> rules) {
    rejected.values().removeIf(r -> !rules.contains(r.rule()));
  }

  /**
   * The rules whose change Envoy rejected: those in {@code rejectedSet} that differ from (or are
   * missing in) {@code acceptedSet}; of those, the ones whose regex Envoy's {@code message} quotes
   * (as in "regex '...' RE2 program size of ...") when any does. Empty: no rule change explains the
   * rejection. With {@code acceptedSet} null (the version the node runs is not one this replica
   * built, e.g. after a restart) every rule counts as changed, and only the quoted ones are held: a
   * rejection that names no rule holds out none.
   */
  static List<LimitRule> culprits(
      List<LimitRule> rejectedSet, List<LimitRule> acceptedSet, String message) {
    List<LimitRule> changed =
        rejectedSet.stream().filter(r -> acceptedSet == null || !acceptedSet.contains(r)).toList();
    List<LimitRule> quoted =
        changed.stream()
            .filter(r -> regexes(r).anyMatch(regex -> message.contains("'" + regex + "'")))
            .toList();
    return quoted.isEmpty() && acceptedSet != null ? changed : quoted;
  }

  private static Stream<String> regexes(LimitRule rule) {
    return RuleDescriptors.chains(rule).stream()
        .flatMap(List::stream)
        .map(
            step -> {
              if (step instanceof DescriptorStep.PathGate p) {
                return p.regex();
              }
              return step instanceof DescriptorStep.MethodGate m ? m.regex() : null;
            })
        .filter(regex -> regex != null);
  }

  /** Holds {@code rules} out with Envoy's {@code message}. */
  void reject(List<LimitRule> rules, String message) {
    Instant now = clock.instant();
    rules.forEach(r -> rejected.put(r.name(), new Rejection(r, message, now)));
  }
}
