package io.tollgate.controlplane.configfile;

import io.tollgate.controlplane.limits.store.LimitRuleService;
import io.tollgate.controlplane.limits.store.LimitRulesWatcher;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Stores the rules {@code tollgate.yaml} declares. Ordered first: when the database refuses them,
 * the watcher keeps the previous file in force and nothing of the new one reaches the snapshot.
 * Then it brings the rule set up to date, so the snapshot this gateway change publishes carries the
 * rules in the database: at start-up, before the first poll, it would otherwise carry none, and
 * every Envoy would run without limits until the poll caught up.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class FileRulesListener implements GatewayConfigListener {

  private final LimitRuleService rules;
  private final LimitRulesWatcher watcher;

  FileRulesListener(LimitRuleService rules, LimitRulesWatcher watcher) {
    this.rules = rules;
    this.watcher = watcher;
  }

  @Override
  public void gatewayChanged(GatewayConfig config) {
    rules.syncFileRules(config.limits());
    watcher.refresh();
  }
}
