package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.tollgate.controlplane.configfile.RetrySpec;
import io.tollgate.controlplane.configfile.UpstreamSpec;
import java.time.Duration;
import java.util.Optional;

/**
 * The cluster a cached route forwards to: the upstream's own cluster (same endpoints, TLS,
 * timeouts, pooling) under {@link CacheClusterNames#of}, with the TTL's upstream filters ({@link
 * CacheTtlFilterFactory}). One per upstream and TTL; it keeps its own connection pool.
 */
final class CacheClusterFactory {

  private final ClusterFactory clusterFactory;
  private final CacheTtlFilterFactory ttlFilters;

  CacheClusterFactory(ClusterFactory clusterFactory, CacheTtlFilterFactory ttlFilters) {
    this.clusterFactory = clusterFactory;
    this.ttlFilters = ttlFilters;
  }

  Cluster create(
      UpstreamSpec upstream,
      Optional<RetrySpec.RetryBudget> retryBudget,
      Duration ttl,
      String systemCaFile) {
    String name = CacheClusterNames.of(upstream.name(), ttl);
    Cluster.Builder cluster =
        clusterFactory.create(upstream, retryBudget, systemCaFile).toBuilder().setName(name);
    cluster.getLoadAssignmentBuilder().setClusterName(name);
    HttpProtocolOptions options =
        unpack(cluster.getTypedExtensionProtocolOptionsOrThrow(EnvoyNames.HTTP_PROTOCOL_OPTIONS));
    cluster.putTypedExtensionProtocolOptions(
        EnvoyNames.HTTP_PROTOCOL_OPTIONS,
        Any.pack(options.toBuilder().addAllHttpFilters(ttlFilters.create(ttl)).build()));
    return cluster.build();
  }

  private static HttpProtocolOptions unpack(Any any) {
    try {
      return any.unpack(HttpProtocolOptions.class);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the cluster factory packs HttpProtocolOptions", e);
    }
  }
}
