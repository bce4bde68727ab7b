package io.tollgate.controlplane.configfile;

import io.tollgate.controlplane.configfile.GatewayConfigListener.RuleStoreException;
import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.store.LimitRuleService;
import io.tollgate.controlplane.limits.store.LimitRulesWatcher;
import java.util.List;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;

/**
 * Stores the rules {@code tollgate.yaml} declares. Ordered first: when the database refuses them,
 * the watcher keeps the previous file in force and nothing of the new one reaches the snapshot.
 * Then it brings the rule set up to date, so the snapshot this gateway change publishes carries the
 * rules in the database: at start-up, before the first poll, it would otherwise carry none, and
 * every Envoy would run without limits until the poll caught up.
 *
 * <p>Runs only after every listener has checked the config (so a file that does not translate
 * commits nothing), and only when the file's rules differ from those it last stored: a file edit
 * that leaves {@code limits:} alone never touches the database, so a database outage does not block
 * a route edit.
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

  // The file's rules this replica stored last; null until the first file is applied.
  private List<LimitRule> stored;

  @Override
  public synchronized void gatewayChanged(GatewayConfig config) {
    if (config.limits().equals(stored)) {
      return;
    }
    try {
      rules.syncFileRules(config.limits());
      watcher.refresh();
    } catch (DataAccessException | TransactionException e) {
      throw new RuleStoreException("the database refused the file's limit rules", e);
    }
    stored = config.limits();
  }
}
