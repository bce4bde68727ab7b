package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.common.mutation_rules.v3.HeaderMutation;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.Mutations;
import io.envoyproxy.envoy.extensions.filters.http.upstream_codec.v3.UpstreamCodec;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.time.Duration;
import java.util.List;

/**
 * The upstream HTTP filters of a cache cluster: {@code cache-control: max-age=<ttl>} added to every
 * response that has no {@code cache-control} of its own, then the codec. This is where a route's
 * TTL must go: Envoy 1.40's cache filter fetches a cacheable request itself, through an async
 * client to the route's cluster, so neither the route's {@code response_headers_to_add} nor any
 * downstream filter sees that response before the cache stores it; the cluster's upstream filters
 * do.
 */
final class CacheTtlFilterFactory {

  static final String HEADER_MUTATION = "envoy.filters.http.header_mutation";
  static final String UPSTREAM_CODEC = "envoy.filters.http.upstream_codec";

  List<HttpFilter> create(Duration ttl) {
    var ttlHeader =
        io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation.newBuilder()
            .setMutations(
                Mutations.newBuilder()
                    .addResponseMutations(
                        HeaderMutation.newBuilder()
                            .setAppend(
                                HeaderValueOption.newBuilder()
                                    .setHeader(
                                        HeaderValue.newBuilder()
                                            .setKey("cache-control")
                                            .setValue("max-age=" + ttl.toSeconds()))
                                    .setAppendAction(HeaderAppendAction.ADD_IF_ABSENT))))
            .build();
    return List.of(
        HttpFilter.newBuilder()
            .setName(HEADER_MUTATION)
            .setTypedConfig(Any.pack(ttlHeader))
            .build(),
        HttpFilter.newBuilder()
            .setName(UPSTREAM_CODEC)
            .setTypedConfig(Any.pack(UpstreamCodec.getDefaultInstance()))
            .build());
  }
}
