package io.tollgate.controlplane.accesslog;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.CommonGrpcAccessLogConfig;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig;
import java.util.List;

/**
 * Envoy's HTTP gRPC access logger, streaming every request to the control plane over the
 * bootstrap's {@code tollgate_xds} cluster. Envoy never waits on it: entries are buffered and sent
 * every {@link #FLUSH_INTERVAL_MILLIS} ms or every {@link #BUFFER_BYTES} bytes; when the stream is
 * down or slow they are dropped and counted ({@code access_logs.grpc_access_log.logs_dropped}). The
 * rate-limit filter's dynamic metadata (the blocking rule) travels in every entry's common
 * properties; the {@code x-ratelimit-limit} response header is logged for the limit.
 *
 * <p>The buffer is per Envoy worker. 256 KiB (Envoy's default is 16 KiB: a message of about 40
 * entries) makes a message of several hundred entries, so a busy worker sends about one gRPC
 * message every 600 requests instead of every 40 (fewer frames and writes in Envoy, fewer messages
 * to parse in the control plane); at low traffic the one-second interval flushes first, so the
 * statistics are as fresh as before. It stays well under the 1 MiB connection buffer of {@code
 * tollgate_xds}, above which Envoy drops entries, and under gRPC's 4 MiB message limit.
 */
final class GrpcAccessLogFactory {

  static final String LOGGER = "envoy.access_loggers.http_grpc";
  static final String LOG_NAME = "tollgate";

  /** The bootstrap's static cluster to the control plane's gRPC port (ADS and access logs). */
  static final String CLUSTER = "tollgate_xds";

  /**
   * The response headers logged beyond Envoy's fixed entry fields; {@link AccessLogWire} lists
   * every field the control plane reads. A statistic that needs another header adds it here and
   * reads it there.
   */
  static final List<String> RESPONSE_HEADERS = List.of(AccessLogMapper.LIMIT_HEADER);

  static final long FLUSH_INTERVAL_MILLIS = 1000;
  static final int BUFFER_BYTES = 256 * 1024;

  AccessLog create() {
    HttpGrpcAccessLogConfig config =
        HttpGrpcAccessLogConfig.newBuilder()
            .setCommonConfig(
                CommonGrpcAccessLogConfig.newBuilder()
                    .setLogName(LOG_NAME)
                    .setGrpcService(
                        GrpcService.newBuilder()
                            .setEnvoyGrpc(
                                GrpcService.EnvoyGrpc.newBuilder().setClusterName(CLUSTER)))
                    .setTransportApiVersion(ApiVersion.V3)
                    .setBufferFlushInterval(Durations.fromMillis(FLUSH_INTERVAL_MILLIS))
                    .setBufferSizeBytes(UInt32Value.of(BUFFER_BYTES)))
            .addAllAdditionalResponseHeadersToLog(RESPONSE_HEADERS)
            .build();
    return AccessLog.newBuilder().setName(LOGGER).setTypedConfig(Any.pack(config)).build();
  }
}
