package io.tollgate.controlplane.accesslog;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.RequestMethod;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPRequestProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;

/** Access-log entries shaped like Envoy's, for tests. */
public final class AccessLogEntries {

  private AccessLogEntries() {}

  /** A GET through the "mock" cluster that took {@code latencyMicros}. */
  public static HTTPAccessLogEntry entry(int status, String path, String ip, long latencyMicros) {
    return HTTPAccessLogEntry.newBuilder()
        .setCommonProperties(
            AccessLogCommon.newBuilder()
                .setDownstreamRemoteAddress(address(ip))
                .setDownstreamDirectRemoteAddress(address("127.0.0.1"))
                .setStartTime(Timestamp.newBuilder().setSeconds(1_800_000_000).setNanos(5_000_000))
                .setTimeToLastDownstreamTxByte(
                    Duration.newBuilder()
                        .setSeconds(latencyMicros / 1_000_000)
                        .setNanos((int) (latencyMicros % 1_000_000) * 1000))
                .setUpstreamCluster("mock"))
        .setRequest(
            HTTPRequestProperties.newBuilder()
                .setRequestMethod(RequestMethod.GET)
                .setPath(path)
                .setRequestId("req-1"))
        .setResponse(HTTPResponseProperties.newBuilder().setResponseCode(UInt32Value.of(status)))
        .build();
  }

  private static Address address(String ip) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(40000))
        .build();
  }
}
