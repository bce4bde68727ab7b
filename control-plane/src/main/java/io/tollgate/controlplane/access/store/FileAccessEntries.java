package io.tollgate.controlplane.access.store;

import io.tollgate.controlplane.access.AccessRule;
import io.tollgate.controlplane.configfile.GatewayConfig;
import io.tollgate.controlplane.configfile.GatewayConfigListener;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The access entries the config file in force declares. The translator reads them from the gateway
 * config itself; the REST API needs them to show them and to refuse changing their names.
 */
@Component
public class FileAccessEntries implements GatewayConfigListener {

  private volatile List<AccessRule> entries = List.of();

  @Override
  public void gatewayChanged(GatewayConfig config) {
    entries = config.access();
  }

  public List<AccessRule> entries() {
    return entries;
  }

  boolean declares(String name) {
    return entries.stream().anyMatch(r -> r.name().equals(name));
  }
}
