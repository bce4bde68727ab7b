package io.tollgate.controlplane.accesslog;

import java.util.HashMap;
import java.util.Map;

/**
 * The fields of one access-log entry the statistics read, as {@link AccessLogWire} found them on
 * the wire (absent fields keep their protobuf defaults). Filled once, then mapped.
 */
final class EntryFields {
  int status;
  int method;
  String path = "";
  String requestId = "";
  String remoteIp = "";
  String directRemoteIp = "";
  String upstreamCluster = "";
  boolean rateLimitedFlag;
  String responseCodeDetails = "";
  long startMillis;

  /** -1: Envoy sent no {@code duration}. */
  long durationMicros = -1;

  long lastByteMicros;

  /** The entry's {@link GrpcAccessLogFactory#SAMPLE_TAG}: 1 when absent (every answer logged). */
  int sampleOneIn = 1;

  /** The logged response headers ({@link GrpcAccessLogFactory#RESPONSE_HEADERS}). */
  Map<String, String> responseHeaders = Map.of();

  void responseHeader(String name, String value) {
    if (responseHeaders.isEmpty()) {
      responseHeaders = new HashMap<>(4);
    }
    responseHeaders.put(name, value);
  }

  /** The rate-limit filter's dynamic metadata, null when absent. */
  RateLimitFields ratelimit;

  /** The quota filter's (approximate tier) bucket metadata, null when absent. */
  RateLimitFields quota;
}
