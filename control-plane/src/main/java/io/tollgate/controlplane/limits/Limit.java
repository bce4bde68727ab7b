package io.tollgate.controlplane.limits;

import io.tollgate.controlplane.limits.validation.LimitRuleValidator;

/**
 * How many requests a rule allows per window. {@code requests == 0} blocks every matching request.
 * Components are nullable only until {@link LimitRuleValidator} has accepted the rule.
 *
 * @param requests allowed requests per window, 0..{@value LimitRuleValidator#MAX_REQUESTS}
 * @param per the window
 */
public record Limit(Long requests, Per per) {}
