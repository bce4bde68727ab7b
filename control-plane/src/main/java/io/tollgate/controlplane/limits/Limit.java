package io.tollgate.controlplane.limits;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.tollgate.controlplane.limits.validation.LimitRuleValidator;

/**
 * How many requests a rule allows per window. {@code requests == 0} blocks every matching request.
 * Components are nullable only until {@link LimitRuleValidator} has accepted the rule.
 *
 * @param requests allowed requests per window, 0..{@value LimitRuleValidator#MAX_REQUESTS}
 * @param per the window
 * @param burst null: a window of {@code requests}. Set (0..{@value LimitRuleValidator#MAX_BURST}):
 *     a token bucket of {@code requests + burst} tokens refilled at {@code requests} per {@code
 *     per}, so a client that was idle may send {@code requests + burst} at once, then the rate
 */
public record Limit(Long requests, Per per, @JsonInclude(JsonInclude.Include.NON_NULL) Long burst) {

  @JsonCreator
  public Limit {}

  /** A window without a burst. */
  public Limit(Long requests, Per per) {
    this(requests, per, null);
  }
}
