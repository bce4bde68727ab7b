package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.common.mutation_rules.v3.HeaderMutation;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption.HeaderAppendAction;
import io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.Mutations;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;

/**
 * Tells the client whether the cache answered: {@code x-tollgate-cache: hit} or {@code miss} on the
 * routes with a cache (off elsewhere, like the cache filter). It sits before the cache filter, so
 * it sees the response the cache filter sends, and decides on the response code details the cache
 * filter sets when it answers (also after a successful revalidation). Any such header from the
 * upstream is overwritten.
 */
final class CacheStatusFilterFactory {

  static final String HEADER = "x-tollgate-cache";

  HttpFilter create() {
    String value =
        "%CEL(response.code_details == '" + EnvoyNames.CACHE_HIT_DETAILS + "' ? 'hit' : 'miss')%";
    io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation config =
        io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.HeaderMutation.newBuilder()
            .setMutations(
                Mutations.newBuilder()
                    .addResponseMutations(
                        HeaderMutation.newBuilder()
                            .setAppend(
                                HeaderValueOption.newBuilder()
                                    .setHeader(
                                        HeaderValue.newBuilder().setKey(HEADER).setValue(value))
                                    .setAppendAction(
                                        HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD))))
            .build();
    return HttpFilter.newBuilder()
        .setName(EnvoyNames.CACHE_STATUS_FILTER)
        .setTypedConfig(Any.pack(config))
        .setDisabled(true)
        .build();
  }
}
