package io.tollgate.controlplane.configfile;

/** Told of every valid new {@link GatewayConfig}; the xDS side turns it into a snapshot. */
@FunctionalInterface
public interface GatewayConfigListener {

  /**
   * @throws RuntimeException if the config cannot be applied; the caller keeps the previous one
   */
  void gatewayChanged(GatewayConfig config);
}
