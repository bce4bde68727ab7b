package io.tollgate.bench.accesslog;

import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.RequestMethod;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPRequestProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.envoyproxy.envoy.data.accesslog.v3.ResponseFlags;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Batches of access-log entries shaped like Envoy's HTTP gRPC logger sends them: a skewed mix of
 * client IPs and paths (a few hot ones, a long tail), 2% blocked by one of a few rules with the
 * rate-limit metadata, query strings, realistic latencies. Built once, replayed by the load
 * generator, so generating them costs the measured process nothing.
 */
final class SyntheticEntries {

  private static final String[] RULES = {"per-ip", "categories-per-ip", "items-global"};

  private SyntheticEntries() {}

  static List<StreamAccessLogsMessage> batches(int count, int entriesPerBatch, long seed) {
    Random random = new Random(seed);
    List<StreamAccessLogsMessage> out = new ArrayList<>(count);
    long now = System.currentTimeMillis() / 1000;
    for (int b = 0; b < count; b++) {
      StreamAccessLogsMessage.HTTPAccessLogEntries.Builder entries =
          StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder();
      for (int i = 0; i < entriesPerBatch; i++) {
        entries.addLogEntry(entry(random, now));
      }
      out.add(StreamAccessLogsMessage.newBuilder().setHttpLogs(entries).build());
    }
    return out;
  }

  private static HTTPAccessLogEntry entry(Random random, long now) {
    boolean blocked = random.nextInt(50) == 0;
    int ip = skewed(random, 50_000);
    String path =
        switch (random.nextInt(4)) {
          case 0 -> "/sites/MLA";
          case 1 -> "/categories/MLA" + skewed(random, 2_000);
          default -> "/items/MLA" + (1_100_000_000L + skewed(random, 100_000)) + "?attributes=id";
        };
    int status = blocked ? 429 : random.nextInt(20) == 0 ? 404 : 200;
    long latencyMicros = blocked ? 200 + random.nextInt(300) : 2_000 + random.nextInt(40_000);
    AccessLogCommon.Builder common =
        AccessLogCommon.newBuilder()
            .setDownstreamRemoteAddress(
                address("10." + (ip >> 16) + "." + ((ip >> 8) & 255) + "." + (ip & 255)))
            .setDownstreamDirectRemoteAddress(address("127.0.0.1"))
            .setStartTime(Timestamp.newBuilder().setSeconds(now))
            .setTimeToLastDownstreamTxByte(
                Duration.newBuilder().setNanos((int) (latencyMicros * 1000)))
            .setUpstreamCluster(blocked ? "" : "mercadolibre");
    if (blocked) {
      common
          .setResponseFlags(ResponseFlags.newBuilder().setRateLimited(true))
          .setMetadata(
              Metadata.newBuilder()
                  .putFilterMetadata(
                      "envoy.filters.http.ratelimit",
                      Struct.newBuilder()
                          .putFields(
                              "rule",
                              Value.newBuilder()
                                  .setStringValue(RULES[random.nextInt(RULES.length)])
                                  .build())
                          .build()));
    }
    return HTTPAccessLogEntry.newBuilder()
        .setCommonProperties(common)
        .setRequest(
            HTTPRequestProperties.newBuilder()
                .setRequestMethod(random.nextInt(10) == 0 ? RequestMethod.POST : RequestMethod.GET)
                .setPath(path)
                .setAuthority("api.mercadolibre.com")
                .setRequestId(Long.toHexString(random.nextLong())))
        .setResponse(HTTPResponseProperties.newBuilder().setResponseCode(UInt32Value.of(status)))
        .build();
  }

  /** 0..n-1, small values far more likely (roughly Zipf-like). */
  private static int skewed(Random random, int n) {
    return (int) Math.min(n - 1, Math.floor(Math.pow(n, random.nextDouble())) - 1);
  }

  private static Address address(String ip) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(40_000))
        .build();
  }
}
