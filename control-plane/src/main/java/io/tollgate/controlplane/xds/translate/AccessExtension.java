package io.tollgate.controlplane.xds.translate;

import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.tollgate.controlplane.access.AccessRule;
import io.tollgate.controlplane.access.AccessRules;
import java.util.List;

/**
 * The allow and deny lists in the snapshot: the config file's entries and the REST API's (the file
 * wins for the names it declares), enabled ones only. Registered before the rate limits, so its
 * RBAC filters run first ({@link RbacFilterFactory}); nothing is added without entries.
 */
public final class AccessExtension implements TranslatorExtension {

  private final RbacFilterFactory filters = new RbacFilterFactory();
  private final AccessLocalReplyFactory localReply = new AccessLocalReplyFactory();

  @Override
  public List<HttpFilter> httpFilters(TranslatorInput input) {
    return filters.create(enabled(input));
  }

  @Override
  public void decorateConnectionManager(
      TranslatorInput input, HttpConnectionManager.Builder connectionManager) {
    List<AccessRule> rules = enabled(input);
    if (!rules.isEmpty()) {
      // Added to whatever mappers other features set: theirs match other replies.
      connectionManager.getLocalReplyConfigBuilder().addAllMappers(localReply.create(rules));
    }
  }

  private static List<AccessRule> enabled(TranslatorInput input) {
    return AccessRules.effective(input.gateway().access(), input.access()).stream()
        .filter(AccessRule::enabled)
        .toList();
  }
}
