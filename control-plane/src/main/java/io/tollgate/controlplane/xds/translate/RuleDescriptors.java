package io.tollgate.controlplane.xds.translate;

import io.tollgate.controlplane.limits.Cidr;
import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.Match;
import io.tollgate.controlplane.xds.translate.DescriptorStep.ApproximateTier;
import io.tollgate.controlplane.xds.translate.DescriptorStep.Counted;
import io.tollgate.controlplane.xds.translate.DescriptorStep.HeaderGate;
import io.tollgate.controlplane.xds.translate.DescriptorStep.MethodGate;
import io.tollgate.controlplane.xds.translate.DescriptorStep.PathGate;
import io.tollgate.controlplane.xds.translate.DescriptorStep.PathKind;
import io.tollgate.controlplane.xds.translate.DescriptorStep.RuleName;
import io.tollgate.controlplane.xds.translate.DescriptorStep.SourceRange;
import java.util.ArrayList;
import java.util.List;

/**
 * The descriptor design: how one rule becomes descriptor chains. Pure.
 *
 * <p>Each rule gets its own chain, so rules never share counters and several rules can match one
 * request (Envoy sends one descriptor per rule; the request is blocked when any enforcing rule is
 * over its limit). A chain is, in order:
 *
 * <ol>
 *   <li>{@code rule = <name>} (Envoy {@code generic_key});
 *   <li>{@code accuracy = approximate} for an approximate rule only (see {@link
 *       DescriptorStep.ApproximateTier});
 *   <li>{@code masked_remote_address = <cidr>} when the rule has {@code sourceCidrs}: one chain per
 *       range (so with several ranges each range counts apart);
 *   <li>gates, each emitting a constant entry only when its condition holds, so a request that does
 *       not match the rule produces no descriptor for it: {@code match_path}, {@code
 *       match_path_prefix} or {@code match_path_regex}, {@code match_methods}, {@code
 *       match_header:<name>};
 *   <li>the counted dimensions of {@code by}, in order: {@code remote_address}, {@code path} (the
 *       normalized path without its query string), {@code method}, {@code header:<name>}; the
 *       rate-limit configuration leaves their value open so each value counts apart.
 * </ol>
 *
 * The gates carry the rule's conditions as their values, so the rate-limit configuration alone
 * describes the rule completely: that is what makes export and import a lossless round trip.
 */
public final class RuleDescriptors {

  private RuleDescriptors() {}

  /** The chains of a valid rule (one, or one per source range). */
  public static List<List<DescriptorStep>> chains(LimitRule rule) {
    Match match = rule.match();
    List<DescriptorStep> after = new ArrayList<>();
    if (match.path() != null) {
      after.add(new PathGate(PathKind.EXACT, match.path()));
    } else if (match.pathPrefix() != null) {
      after.add(new PathGate(PathKind.PREFIX, match.pathPrefix()));
    } else if (match.pathRegex() != null) {
      after.add(new PathGate(PathKind.REGEX, match.pathRegex()));
    }
    if (!match.methods().isEmpty()) {
      after.add(new MethodGate(match.methods()));
    }
    match.headers().forEach((name, value) -> after.add(new HeaderGate(name, value)));
    rule.dimensions().forEach(d -> after.add(new Counted(d)));

    List<DescriptorStep> head = new ArrayList<>();
    head.add(new RuleName(rule.name()));
    if (rule.approximate()) {
      head.add(new ApproximateTier());
    }
    if (match.sourceCidrs().isEmpty()) {
      List<DescriptorStep> chain = new ArrayList<>(head);
      chain.addAll(after);
      return List.of(List.copyOf(chain));
    }
    List<List<DescriptorStep>> chains = new ArrayList<>();
    for (String cidr : match.sourceCidrs()) {
      List<DescriptorStep> chain = new ArrayList<>(head);
      chain.add(new SourceRange(Cidr.parse(cidr)));
      chain.addAll(after);
      chains.add(List.copyOf(chain));
    }
    return List.copyOf(chains);
  }
}
