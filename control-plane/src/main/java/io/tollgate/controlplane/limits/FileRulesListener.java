package io.tollgate.controlplane.limits;

import io.tollgate.controlplane.gateway.GatewayConfig;
import io.tollgate.controlplane.gateway.GatewayConfigListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Stores the rules {@code tollgate.yaml} declares. Ordered first: when the database refuses them,
 * the watcher keeps the previous file in force and nothing of the new one reaches the snapshot.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class FileRulesListener implements GatewayConfigListener {

  private final LimitRuleService rules;

  FileRulesListener(LimitRuleService rules) {
    this.rules = rules;
  }

  @Override
  public void gatewayChanged(GatewayConfig config) {
    rules.syncFileRules(config.limits());
  }
}
