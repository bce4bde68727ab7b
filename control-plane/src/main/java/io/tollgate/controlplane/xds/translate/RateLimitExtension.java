package io.tollgate.controlplane.xds.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Limit rules in the snapshot. The same rules give Envoy's actions and the rate-limit services'
 * configuration (both from {@link io.tollgate.controlplane.xds.translate.RuleDescriptors}), in the
 * same snapshot, so they never disagree. A rule with an exact or prefix path sits on the routes its
 * path selects ({@link RulePathMatcherFactory}), so a request pays only for the rules on its path;
 * the others (no path, or a regex path) sit on the virtual host and are evaluated on every request.
 * Nothing is added when {@link LimitsInput#service()} is null.
 */
public final class RateLimitExtension implements TranslatorExtension {

  private final RateLimitActionsFactory actions = new RateLimitActionsFactory();
  private final RulePathMatcherFactory pathMatcher = new RulePathMatcherFactory(actions);
  private final RateLimitFilterFactory filter = new RateLimitFilterFactory();
  private final RateLimitClusterFactory cluster = new RateLimitClusterFactory();
  private final RateLimitLocalReplyFactory localReply = new RateLimitLocalReplyFactory();
  private final RateLimitQuotaFilterFactory quotaFilter = new RateLimitQuotaFilterFactory();

  /**
   * The exact tier's filter, then one quota filter per approximate rule, sorted by rule name. A
   * request the exact tier blocks never reaches the quota filters (and is not counted by them).
   */
  @Override
  public List<HttpFilter> httpFilters(TranslatorInput input) {
    if (!enabled(input)) {
      return List.of();
    }
    List<HttpFilter> filters = new ArrayList<>();
    filters.add(filter.create(input.limits().service()));
    approximateRules(input)
        .sorted(Comparator.comparing(LimitRule::name))
        .forEach(r -> filters.add(quotaFilter.create(r, input.limits().service())));
    return filters;
  }

  private static Stream<LimitRule> approximateRules(TranslatorInput input) {
    return input.limits().rules().stream().filter(r -> r.enabled() && r.approximate());
  }

  @Override
  public void decorateConnectionManager(
      TranslatorInput input, HttpConnectionManager.Builder connectionManager) {
    if (enabled(input)) {
      // Merged, not set: the access lists' mappers (added before) stay.
      connectionManager
          .getLocalReplyConfigBuilder()
          .mergeFrom(localReply.create(approximateRules(input).findAny().isPresent()));
    }
  }

  @Override
  public void decorateVirtualHost(TranslatorInput input, VirtualHost.Builder virtualHost) {
    if (!enabled(input)) {
      return;
    }
    // Approximate rules have no actions: their requests make no ShouldRateLimit call.
    List<LimitRule> rules =
        input.limits().rules().stream().filter(r -> r.enabled() && !r.approximate()).toList();
    rules.stream()
        .filter(r -> !RulePathMatcherFactory.onRoutes(r))
        .forEach(r -> virtualHost.addAllRateLimits(actions.create(r)));
    List<LimitRule> routeRules = rules.stream().filter(RulePathMatcherFactory::onRoutes).toList();
    if (!routeRules.isEmpty()) {
      // Envoy takes either routes or a matcher: the routes move into the matcher's route lists.
      List<Route> routes = List.copyOf(virtualHost.getRoutesList());
      virtualHost
          .clearRoutes()
          .setMatcher(pathMatcher.create(routes, routeRules, virtualHost.getRateLimitsCount() > 0));
    }
  }

  @Override
  public List<Cluster> clusters(TranslatorInput input) {
    return enabled(input) ? List.of(cluster.create(input.limits().service())) : List.of();
  }

  @Override
  public List<RateLimitConfig> rateLimitConfigs(TranslatorInput input) {
    return enabled(input) ? List.of(RateLimitConfigs.of(input.limits().rules())) : List.of();
  }

  private static boolean enabled(TranslatorInput input) {
    return input.limits().service() != null;
  }
}
