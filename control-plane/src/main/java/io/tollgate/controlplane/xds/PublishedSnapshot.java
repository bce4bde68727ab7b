package io.tollgate.controlplane.xds;

import io.tollgate.controlplane.xds.translate.EnvoyResources;
import java.time.Instant;
import java.util.Map;

/**
 * The snapshot currently served to every node.
 *
 * @param version hash over all type versions
 * @param typeVersions version per type URL (what a node acknowledges)
 * @param publishedAt when it replaced the previous one
 * @param resources what it holds
 */
public record PublishedSnapshot(
    String version,
    Map<String, String> typeVersions,
    Instant publishedAt,
    EnvoyResources resources) {

  public PublishedSnapshot {
    typeVersions = Map.copyOf(typeVersions);
  }
}
