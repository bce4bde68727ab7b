package io.tollgate.controlplane.accesslog;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ComparisonFilter;
import io.envoyproxy.envoy.config.accesslog.v3.OrFilter;
import io.envoyproxy.envoy.config.accesslog.v3.RuntimeFilter;
import io.envoyproxy.envoy.config.accesslog.v3.StatusCodeFilter;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.RuntimeUInt32;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.CommonGrpcAccessLogConfig;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig;
import io.envoyproxy.envoy.type.tracing.v3.CustomTag;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.List;

/**
 * Envoy's HTTP gRPC access logger, streaming every request (or a sample, below) to the control
 * plane over the bootstrap's {@code tollgate_xds} cluster. Envoy never waits on it: entries are
 * buffered and sent every {@link #FLUSH_INTERVAL_MILLIS} ms or every {@link #BUFFER_BYTES} bytes;
 * when the stream is down or slow they are dropped and counted ({@code
 * access_logs.grpc_access_log.logs_dropped}). The rate-limit filter's dynamic metadata (the
 * blocking rule) travels in every entry's common properties; the {@code x-ratelimit-limit} response
 * header is logged for the limit.
 *
 * <p>The buffer is per Envoy worker. 256 KiB (Envoy's default is 16 KiB: a message of about 40
 * entries) makes a message of several hundred entries, so a busy worker sends about one gRPC
 * message every 600 requests instead of every 40 (fewer frames and writes in Envoy, fewer messages
 * to parse in the control plane); at low traffic the one-second interval flushes first, so the
 * statistics are as fresh as before. It stays well under the 1 MiB connection buffer of {@code
 * tollgate_xds}, above which Envoy drops entries, and under gRPC's 4 MiB message limit.
 *
 * <p>Sampled ({@code TOLLGATE_ACCESSLOG_SAMPLE_ONE_IN} N above 1): an access-log filter keeps every
 * answer of {@value #ALWAYS_LOGGED_FROM} or more (so every rejection, error and blocked call) and
 * one in N of the others, drawn independently per request; each entry carries the custom tag
 * {@value #SAMPLE_TAG} = N, so whichever control plane reads it counts an answer under {@value
 * #ALWAYS_LOGGED_FROM} N times, whatever its own setting. The logger's cost per request is then
 * Envoy's filter check for most requests instead of an entry.
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

  /** Answers from this status up are always logged, sampled or not. */
  static final int ALWAYS_LOGGED_FROM = 400;

  /** The custom tag naming the sampling of an entry's answers under {@link #ALWAYS_LOGGED_FROM}. */
  static final String SAMPLE_TAG = "tollgate.sample_one_in";

  /** Runtime keys Envoy requires on the filters (no runtime layer sets them). */
  static final String STATUS_RUNTIME_KEY = "tollgate.access_log.always_logged_from";

  static final String SAMPLE_RUNTIME_KEY = "tollgate.access_log.sampled";

  private static final int MILLION = 1_000_000;

  /**
   * The logger, every answer logged when {@code sampleOneIn} is 1, else sampled as the class says.
   */
  AccessLog create(int sampleOneIn) {
    if (sampleOneIn < 1) {
      throw new IllegalArgumentException("sampleOneIn must be 1 or more: " + sampleOneIn);
    }
    CommonGrpcAccessLogConfig.Builder common = common();
    AccessLog.Builder log = AccessLog.newBuilder().setName(LOGGER);
    if (sampleOneIn > 1) {
      common.addCustomTags(
          CustomTag.newBuilder()
              .setTag(SAMPLE_TAG)
              .setLiteral(CustomTag.Literal.newBuilder().setValue(Integer.toString(sampleOneIn))));
      log.setFilter(sampled(sampleOneIn));
    }
    HttpGrpcAccessLogConfig config =
        HttpGrpcAccessLogConfig.newBuilder()
            .setCommonConfig(common)
            .addAllAdditionalResponseHeadersToLog(RESPONSE_HEADERS)
            .build();
    return log.setTypedConfig(Any.pack(config)).build();
  }

  /** Every answer from {@link #ALWAYS_LOGGED_FROM} up, and one in {@code n} of the others. */
  private static AccessLogFilter sampled(int n) {
    AccessLogFilter always =
        AccessLogFilter.newBuilder()
            .setStatusCodeFilter(
                StatusCodeFilter.newBuilder()
                    .setComparison(
                        ComparisonFilter.newBuilder()
                            .setOp(ComparisonFilter.Op.GE)
                            .setValue(
                                RuntimeUInt32.newBuilder()
                                    .setDefaultValue(ALWAYS_LOGGED_FROM)
                                    .setRuntimeKey(STATUS_RUNTIME_KEY))))
            .build();
    // Per million, so that one in n is within a millionth of 1/n for every n allowed.
    AccessLogFilter oneIn =
        AccessLogFilter.newBuilder()
            .setRuntimeFilter(
                RuntimeFilter.newBuilder()
                    .setRuntimeKey(SAMPLE_RUNTIME_KEY)
                    .setPercentSampled(
                        FractionalPercent.newBuilder()
                            .setNumerator(MILLION / n)
                            .setDenominator(FractionalPercent.DenominatorType.MILLION))
                    // Not from the request id: its bits are the client's when it sent one.
                    .setUseIndependentRandomness(true))
            .build();
    return AccessLogFilter.newBuilder()
        .setOrFilter(OrFilter.newBuilder().addFilters(always).addFilters(oneIn))
        .build();
  }

  private static CommonGrpcAccessLogConfig.Builder common() {
    return CommonGrpcAccessLogConfig.newBuilder()
        .setLogName(LOG_NAME)
        .setGrpcService(
            GrpcService.newBuilder()
                .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName(CLUSTER)))
        .setTransportApiVersion(ApiVersion.V3)
        .setBufferFlushInterval(Durations.fromMillis(FLUSH_INTERVAL_MILLIS))
        .setBufferSizeBytes(UInt32Value.of(BUFFER_BYTES));
  }
}
