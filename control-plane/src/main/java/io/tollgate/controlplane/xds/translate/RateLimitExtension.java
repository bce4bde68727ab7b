package io.tollgate.controlplane.xds.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import java.util.List;

/**
 * Limit rules in the snapshot. The same rules give Envoy's actions and the rate-limit services'
 * configuration (both from {@link io.tollgate.controlplane.xds.translate.RuleDescriptors}), in the
 * same snapshot, so they never disagree. The rules sit on the virtual host, so they apply whatever
 * route a request takes. Nothing is added when {@link LimitsInput#service()} is null.
 */
public final class RateLimitExtension implements TranslatorExtension {

  private final RateLimitActionsFactory actions = new RateLimitActionsFactory();
  private final RateLimitFilterFactory filter = new RateLimitFilterFactory();
  private final RateLimitClusterFactory cluster = new RateLimitClusterFactory();
  private final RateLimitLocalReplyFactory localReply = new RateLimitLocalReplyFactory();

  @Override
  public List<HttpFilter> httpFilters(TranslatorInput input) {
    return enabled(input) ? List.of(filter.create(input.limits().service())) : List.of();
  }

  @Override
  public void decorateConnectionManager(
      TranslatorInput input, HttpConnectionManager.Builder connectionManager) {
    if (enabled(input)) {
      connectionManager.setLocalReplyConfig(localReply.create());
    }
  }

  @Override
  public void decorateVirtualHost(TranslatorInput input, VirtualHost.Builder virtualHost) {
    if (enabled(input)) {
      input.limits().rules().stream()
          .filter(r -> r.enabled())
          .forEach(r -> virtualHost.addAllRateLimits(actions.create(r)));
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
