package io.tollgate.controlplane.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.Pipe;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.ResponseFlags;
import io.envoyproxy.envoy.data.accesslog.v3.TCPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.TLSProperties;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.tollgate.controlplane.stats.AccessRecord;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire reader: the fields it keeps survive every field Envoy sends beside them. */
class AccessLogWireTest {

  /** An entry with the fields Envoy 1.40 fills besides the ones read, nested and all. */
  private static HTTPAccessLogEntry fullEntry() {
    HTTPAccessLogEntry.Builder e =
        AccessLogEntries.entry(429, "/sites/MLA?x=1", "10.1.2.3", 2500).toBuilder();
    e.setProtocolVersion(HTTPAccessLogEntry.HTTPVersion.HTTP11);
    e.getCommonPropertiesBuilder()
        .setSampleRate(1)
        .setDownstreamLocalAddress(socket("127.0.0.1", 8080))
        .setTlsProperties(
            TLSProperties.newBuilder()
                .setTlsSniHostname("api.example")
                .setPeerCertificateProperties(
                    TLSProperties.CertificateProperties.newBuilder().setSubject("CN=x")))
        .setTimeToLastRxByte(Duration.newBuilder().setNanos(1_000))
        .setTimeToFirstUpstreamTxByte(Duration.newBuilder().setNanos(2_000))
        .setTimeToLastUpstreamRxByte(Duration.newBuilder().setSeconds(7))
        .setUpstreamRemoteAddress(socket("127.0.0.1", 8088))
        .setUpstreamLocalAddress(
            Address.newBuilder().setPipe(Pipe.newBuilder().setPath("/tmp/s")).build())
        .setUpstreamCluster("")
        .setResponseFlags(
            ResponseFlags.newBuilder()
                .setRateLimited(true)
                .setUnauthorizedDetails(
                    ResponseFlags.Unauthorized.newBuilder()
                        .setReason(ResponseFlags.Unauthorized.Reason.EXTERNAL_SERVICE)))
        .setMetadata(
            Metadata.newBuilder()
                .putFilterMetadata(
                    "envoy.filters.http.other",
                    Struct.newBuilder()
                        .putFields("rule", Value.newBuilder().setStringValue("not-this").build())
                        .build())
                .putFilterMetadata(
                    AccessLogMapper.RATELIMIT_NAMESPACE,
                    Struct.newBuilder()
                        .putFields("rule", Value.newBuilder().setStringValue("per-ip").build())
                        .putFields("limit", Value.newBuilder().setNumberValue(5).build())
                        .putFields("unit", Value.newBuilder().setStringValue("SECOND").build())
                        .putFields(
                            "nested",
                            Value.newBuilder()
                                .setStructValue(
                                    Struct.newBuilder()
                                        .putFields(
                                            "rule",
                                            Value.newBuilder().setStringValue("inner").build()))
                                .build())
                        .build())
                .putTypedFilterMetadata("typed", Any.pack(UInt32Value.of(3))))
        .setRouteName("default")
        .putFilterStateObjects("state", Any.pack(UInt32Value.of(1)))
        .putCustomTags("tag", "value")
        .setDuration(Duration.newBuilder().setNanos(3_000_000))
        .setUpstreamRequestAttemptCount(1)
        .setStreamId("stream-1")
        .setDownstreamWireBytesSent(1234)
        .setAccessLogType(AccessLogType.DownstreamEnd);
    e.getRequestBuilder()
        .setScheme("http")
        .setAuthority("127.0.0.1")
        .setPort(UInt32Value.of(8080))
        .setUserAgent("wrk")
        .setForwardedFor("10.1.2.3")
        .setOriginalPath("/sites/MLA")
        .setRequestHeadersBytes(120)
        .putRequestHeaders("x-a", "b");
    e.getResponseBuilder()
        .setResponseHeadersBytes(99)
        .setResponseBodyBytes(1000)
        .putResponseHeaders("x-other", "1")
        .putResponseTrailers("grpc-status", "0")
        .setResponseCodeDetails("request_rate_limited");
    return e.build();
  }

  private static Address socket(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }

  @Test
  void keepsTheFieldsReadAndSkipsEveryOther() {
    AccessRecord r = AccessLogMapperTest.map(fullEntry());
    assertThat(r)
        .isEqualTo(
            new AccessRecord(
                429,
                "GET",
                "/sites/MLA",
                "10.1.2.3",
                "-",
                true,
                "per-ip",
                "5/second",
                3_000,
                "req-1",
                1_800_000_000_005L,
                List.of(),
                List.of(),
                false,
                null,
                1));
  }

  @Test
  void readsTheNodeOfTheFirstMessageAndIgnoresTcpEntries() throws IOException {
    StreamAccessLogsMessage first =
        StreamAccessLogsMessage.newBuilder()
            .setIdentifier(
                StreamAccessLogsMessage.Identifier.newBuilder()
                    .setNode(Node.newBuilder().setId("envoy-1").setCluster("tollgate"))
                    .setLogName("tollgate"))
            .setHttpLogs(
                StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder()
                    .addLogEntry(fullEntry())
                    .addLogEntry(AccessLogEntries.entry(200, "/", "10.0.0.9", 10)))
            .build();
    AccessLogWire.Message m = AccessLogWire.message(first.toByteArray());
    assertThat(m.nodeId()).isEqualTo("envoy-1");
    assertThat(m.records())
        .extracting(AccessRecord::clientIp)
        .containsExactly("10.1.2.3", "10.0.0.9");

    StreamAccessLogsMessage tcp =
        StreamAccessLogsMessage.newBuilder()
            .setTcpLogs(
                StreamAccessLogsMessage.TCPAccessLogEntries.newBuilder()
                    .addLogEntry(TCPAccessLogEntry.getDefaultInstance()))
            .build();
    AccessLogWire.Message t = AccessLogWire.message(tcp.toByteArray());
    assertThat(t.nodeId()).isNull();
    assertThat(t.records()).isEmpty();
  }

  @Test
  void aTruncatedMessageIsAnError() {
    byte[] whole =
        StreamAccessLogsMessage.newBuilder()
            .setHttpLogs(
                StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder().addLogEntry(fullEntry()))
            .build()
            .toByteArray();
    byte[] cut = Arrays.copyOf(whole, whole.length - 7);
    assertThatThrownBy(() -> AccessLogWire.message(cut)).isInstanceOf(IOException.class);
  }
}
