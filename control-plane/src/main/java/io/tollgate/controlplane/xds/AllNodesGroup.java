package io.tollgate.controlplane.xds;

import io.envoyproxy.controlplane.cache.NodeGroup;
import io.envoyproxy.envoy.config.core.v3.Node;

/**
 * Every node in one group: all Envoys (and rate-limit services) are replicas of each other and get
 * the same snapshot, whatever their node id or cluster.
 */
final class AllNodesGroup implements NodeGroup<String> {

  static final String GROUP = "tollgate";

  @Override
  public String hash(Node node) {
    return GROUP;
  }
}
