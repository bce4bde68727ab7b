package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.rbac.v3.RBAC.Action;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.tollgate.controlplane.access.AccessAction;
import io.tollgate.controlplane.access.AccessRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The allow and deny lists as Envoy RBAC HTTP filters, first in the chain so a refused request
 * costs no rate-limit call and never reaches an upstream. One RBAC filter holds one action, so the
 * deny entries are one filter (a request matching any is refused) and the allow entries, when there
 * are any, a second one after it (a request matching none is refused): a deny entry wins over an
 * allow entry. Envoy names the refusing policy in the response code details, {@code
 * rbac_access_denied_matched_policy[<entry>]}, {@code [none]} for an allow-list miss.
 */
final class RbacFilterFactory {

  static final String TYPE = "envoy.filters.http.rbac";
  static final String DENY_FILTER = "tollgate.access.deny";
  static final String ALLOW_FILTER = "tollgate.access.allow";

  private final RbacPolicyFactory policies = new RbacPolicyFactory();

  /**
   * @param rules the enabled entries, sorted by name (Envoy checks policies in name order, so with
   *     several matching deny entries the first by name is the one reported)
   */
  List<HttpFilter> create(List<AccessRule> rules) {
    List<HttpFilter> filters = new ArrayList<>();
    filter(rules, AccessAction.DENY, DENY_FILTER, Action.DENY).ifPresent(filters::add);
    filter(rules, AccessAction.ALLOW, ALLOW_FILTER, Action.ALLOW).ifPresent(filters::add);
    return filters;
  }

  private Optional<HttpFilter> filter(
      List<AccessRule> rules, AccessAction action, String name, Action rbacAction) {
    List<AccessRule> selected = rules.stream().filter(r -> r.action() == action).toList();
    if (selected.isEmpty()) {
      return Optional.empty();
    }
    RBAC.Builder rbac = RBAC.newBuilder().setAction(rbacAction);
    selected.forEach(r -> rbac.putPolicies(r.name(), policies.create(r)));
    io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC config =
        io.envoyproxy
            .envoy
            .extensions
            .filters
            .http
            .rbac
            .v3
            .RBAC
            .newBuilder()
            .setRules(rbac)
            // Separate counters per list: http.tollgate.rbac.access_deny.denied, ...
            .setRulesStatPrefix("access_" + action.wireName())
            .build();
    return Optional.of(
        HttpFilter.newBuilder().setName(name).setTypedConfig(Any.pack(config)).build());
  }
}
