package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.tollgate.controlplane.configfile.ListenerSpec;

/** The client-facing listener: one filter chain holding the HTTP connection manager. */
final class ListenerFactory {

  // Envoy's edge guidance: bound what one connection may buffer.
  private static final int PER_CONNECTION_BUFFER_LIMIT_BYTES = 32 * 1024;

  Listener create(ListenerSpec spec, HttpConnectionManager connectionManager) {
    return Listener.newBuilder()
        .setName(EnvoyNames.LISTENER)
        .setAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder()
                        .setAddress(spec.address())
                        .setPortValue(spec.port())))
        .setPerConnectionBufferLimitBytes(UInt32Value.of(PER_CONNECTION_BUFFER_LIMIT_BYTES))
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(
                    Filter.newBuilder()
                        .setName(EnvoyNames.HTTP_CONNECTION_MANAGER)
                        .setTypedConfig(Any.pack(connectionManager))))
        .build();
  }
}
