package io.tollgate.controlplane.accesslog;

import com.google.common.primitives.Ints;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPRequestProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.envoyproxy.envoy.data.accesslog.v3.ResponseFlags;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.tollgate.controlplane.ControlPlaneSettings;
import io.tollgate.controlplane.stats.AccessRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Envoy's {@code StreamAccessLogsMessage} straight off the wire into {@link AccessRecord}s,
 * keeping only the fields the statistics read and skipping every other one unparsed. Envoy's HTTP
 * gRPC logger always sends its whole fixed entry (about 30 fields: every timing, the upstream
 * addresses, TLS and byte counts, ...); building the generated message tree for all of them cost
 * the control plane more than counting the entry. The fields read, the single list of them:
 *
 * <ul>
 *   <li>common properties: downstream remote and direct remote address, start time, duration and
 *       time to last downstream byte, upstream cluster, the rate-limited response flag, the custom
 *       tag {@link GrpcAccessLogFactory#SAMPLE_TAG}, and the {@link
 *       AccessLogMapper#RATELIMIT_NAMESPACE} / {@link AccessLogMapper#QUOTA_NAMESPACE} dynamic
 *       metadata's {@code rule}, {@code limit}, {@code unit}, {@code shadowRules}, {@code
 *       countedRules};
 *   <li>request: method, path, request id;
 *   <li>response: status, code details, and the response headers {@link
 *       GrpcAccessLogFactory#RESPONSE_HEADERS} asks Envoy to log.
 * </ul>
 *
 * Field numbers come from the generated classes' constants. Malformed input throws {@link
 * IOException}.
 */
final class AccessLogWire {

  /** One message of the stream: the sender's node id (first message only) and its HTTP entries. */
  record Message(String nodeId, List<AccessRecord> records) {}

  private static final int LENGTH_DELIMITED = WireFormat.WIRETYPE_LENGTH_DELIMITED;

  private AccessLogWire() {}

  static Message message(byte[] bytes) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    String node = null;
    List<AccessRecord> records = new ArrayList<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(tag);
      if (field == StreamAccessLogsMessage.IDENTIFIER_FIELD_NUMBER && delimited(tag)) {
        // Once per stream: the generated parser is fine here.
        node = StreamAccessLogsMessage.Identifier.parseFrom(in.readBytes()).getNode().getId();
      } else if (field == StreamAccessLogsMessage.HTTP_LOGS_FIELD_NUMBER && delimited(tag)) {
        int limit = in.pushLimit(in.readRawVarint32());
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
          if (WireFormat.getTagFieldNumber(t)
                  == StreamAccessLogsMessage.HTTPAccessLogEntries.LOG_ENTRY_FIELD_NUMBER
              && delimited(t)) {
            records.add(entry(in));
          } else {
            in.skipField(t);
          }
        }
        in.popLimit(limit);
      } else {
        // TCP entries are not counted.
        in.skipField(tag);
      }
    }
    return new Message(node, records);
  }

  private static AccessRecord entry(CodedInputStream in) throws IOException {
    EntryFields e = new EntryFields();
    nested(in, e, AccessLogWire::entryField);
    return AccessLogMapper.map(e);
  }

  private static void entryField(CodedInputStream in, EntryFields e, int tag) throws IOException {
    if (!delimited(tag)) {
      in.skipField(tag);
      return;
    }
    switch (WireFormat.getTagFieldNumber(tag)) {
      case HTTPAccessLogEntry.COMMON_PROPERTIES_FIELD_NUMBER ->
          nested(in, e, AccessLogWire::common);
      case HTTPAccessLogEntry.REQUEST_FIELD_NUMBER -> nested(in, e, AccessLogWire::request);
      case HTTPAccessLogEntry.RESPONSE_FIELD_NUMBER -> nested(in, e, AccessLogWire::response);
      default -> in.skipField(tag);
    }
  }

  /** Every field read here is length-delimited (a message or a string). */
  private static void common(CodedInputStream in, EntryFields e, int tag) throws IOException {
    if (!delimited(tag)) {
      in.skipField(tag);
      return;
    }
    switch (WireFormat.getTagFieldNumber(tag)) {
      case AccessLogCommon.DOWNSTREAM_REMOTE_ADDRESS_FIELD_NUMBER -> e.remoteIp = address(in);
      case AccessLogCommon.DOWNSTREAM_DIRECT_REMOTE_ADDRESS_FIELD_NUMBER ->
          e.directRemoteIp = address(in);
      case AccessLogCommon.START_TIME_FIELD_NUMBER -> e.startMillis = millis(in);
      case AccessLogCommon.DURATION_FIELD_NUMBER -> e.durationMicros = micros(in);
      case AccessLogCommon.TIME_TO_LAST_DOWNSTREAM_TX_BYTE_FIELD_NUMBER ->
          e.lastByteMicros = micros(in);
      case AccessLogCommon.UPSTREAM_CLUSTER_FIELD_NUMBER -> e.upstreamCluster = in.readString();
      case AccessLogCommon.RESPONSE_FLAGS_FIELD_NUMBER -> nested(in, e, AccessLogWire::flags);
      case AccessLogCommon.METADATA_FIELD_NUMBER -> nested(in, e, AccessLogWire::metadata);
      case AccessLogCommon.CUSTOM_TAGS_FIELD_NUMBER -> {
        String[] custom = mapEntry(in);
        if (GrpcAccessLogFactory.SAMPLE_TAG.equals(custom[0])) {
          e.sampleOneIn = sampleOneIn(custom[1]);
        }
      }
      default -> in.skipField(tag);
    }
  }

  /**
   * The sampling an entry names; a value that is not a number in 1..{@link
   * ControlPlaneSettings.AccessLog#MAX_SAMPLE_ONE_IN} counts the entry once (the control plane
   * writes the tag, so such a value is not its own).
   */
  private static int sampleOneIn(String value) {
    Integer n = value == null || value.length() > 4 ? null : Ints.tryParse(value);
    return n != null && n >= 1 && n <= ControlPlaneSettings.AccessLog.MAX_SAMPLE_ONE_IN ? n : 1;
  }

  private static void request(CodedInputStream in, EntryFields e, int tag) throws IOException {
    int field = WireFormat.getTagFieldNumber(tag);
    if (field == HTTPRequestProperties.REQUEST_METHOD_FIELD_NUMBER
        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
      e.method = in.readEnum();
    } else if (field == HTTPRequestProperties.PATH_FIELD_NUMBER && delimited(tag)) {
      e.path = in.readString();
    } else if (field == HTTPRequestProperties.REQUEST_ID_FIELD_NUMBER && delimited(tag)) {
      e.requestId = in.readString();
    } else {
      in.skipField(tag);
    }
  }

  /** Every field read here is length-delimited (a message, a string or a map entry). */
  private static void response(CodedInputStream in, EntryFields e, int tag) throws IOException {
    if (!delimited(tag)) {
      in.skipField(tag);
      return;
    }
    switch (WireFormat.getTagFieldNumber(tag)) {
      case HTTPResponseProperties.RESPONSE_CODE_FIELD_NUMBER -> nested(in, e, AccessLogWire::code);
      case HTTPResponseProperties.RESPONSE_CODE_DETAILS_FIELD_NUMBER ->
          e.responseCodeDetails = in.readString();
      case HTTPResponseProperties.RESPONSE_HEADERS_FIELD_NUMBER -> {
        String[] header = mapEntry(in);
        if (header[0] != null) {
          e.responseHeader(header[0], header[1] == null ? "" : header[1]);
        }
      }
      default -> in.skipField(tag);
    }
  }

  private static void code(CodedInputStream in, EntryFields e, int tag) throws IOException {
    if (WireFormat.getTagFieldNumber(tag) == UInt32Value.VALUE_FIELD_NUMBER
        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
      e.status = in.readUInt32();
    } else {
      in.skipField(tag);
    }
  }

  private static void flags(CodedInputStream in, EntryFields e, int tag) throws IOException {
    if (WireFormat.getTagFieldNumber(tag) == ResponseFlags.RATE_LIMITED_FIELD_NUMBER
        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
      e.rateLimitedFlag = in.readBool();
    } else {
      in.skipField(tag);
    }
  }

  /** {@code filter_metadata}: only the two rate-limit namespaces are read. */
  private static void metadata(CodedInputStream in, EntryFields e, int tag) throws IOException {
    if (WireFormat.getTagFieldNumber(tag) != Metadata.FILTER_METADATA_FIELD_NUMBER
        || !delimited(tag)) {
      in.skipField(tag);
      return;
    }
    int limit = in.pushLimit(in.readRawVarint32());
    RateLimitFields target = null;
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(t);
      if (field == 1 && delimited(t)) {
        String namespace = in.readString();
        target =
            switch (namespace) {
              case AccessLogMapper.RATELIMIT_NAMESPACE -> e.ratelimit = new RateLimitFields();
              case AccessLogMapper.QUOTA_NAMESPACE -> e.quota = new RateLimitFields();
              default -> null;
            };
      } else if (field == 2 && delimited(t) && target != null) {
        // map entries are written key first, as every protobuf serializer does
        nested(in, target, AccessLogWire::struct);
      } else {
        in.skipField(t);
      }
    }
    in.popLimit(limit);
  }

  /** A {@code Struct}'s fields entry: only the keys of {@link RateLimitFields}. */
  private static void struct(CodedInputStream in, RateLimitFields r, int tag) throws IOException {
    if (WireFormat.getTagFieldNumber(tag) != Struct.FIELDS_FIELD_NUMBER || !delimited(tag)) {
      in.skipField(tag);
      return;
    }
    int limit = in.pushLimit(in.readRawVarint32());
    String key = null;
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(t);
      if (field == 1 && delimited(t)) {
        key = in.readString();
      } else if (field == 2 && delimited(t) && key != null) {
        switch (key) {
          case AccessLogMapper.RULE_KEY -> r.rule = scalar(in);
          case AccessLogMapper.LIMIT_KEY -> r.limit = scalar(in);
          case AccessLogMapper.UNIT_KEY -> r.unit = scalar(in);
          case AccessLogMapper.SHADOW_RULES_KEY -> r.shadowRules = names(in);
          case AccessLogMapper.COUNTED_RULES_KEY -> r.countedRules = names(in);
          default -> in.skipField(t);
        }
      } else {
        in.skipField(t);
      }
    }
    in.popLimit(limit);
  }

  /** A {@code Value}: a string as is, a number as an integer when whole, anything else null. */
  private static String scalar(CodedInputStream in) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    String s = null;
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(t);
      if (field == Value.STRING_VALUE_FIELD_NUMBER && delimited(t)) {
        s = in.readString();
      } else if (field == Value.NUMBER_VALUE_FIELD_NUMBER
          && WireFormat.getTagWireType(t) == WireFormat.WIRETYPE_FIXED64) {
        double d = in.readDouble();
        s = d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
      } else {
        in.skipField(t);
        s = null;
      }
    }
    in.popLimit(limit);
    return s;
  }

  /**
   * A {@code Value} holding a list: its non-empty strings, at most {@link
   * AccessLogMapper#MAX_LISTED_RULES}; anything else in it is skipped.
   */
  private static List<String> names(CodedInputStream in) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    List<String> names = List.of();
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      if (WireFormat.getTagFieldNumber(t) != Value.LIST_VALUE_FIELD_NUMBER || !delimited(t)) {
        in.skipField(t);
        continue;
      }
      int list = in.pushLimit(in.readRawVarint32());
      names = new ArrayList<>(2);
      for (int v = in.readTag(); v != 0; v = in.readTag()) {
        if (WireFormat.getTagFieldNumber(v) == ListValue.VALUES_FIELD_NUMBER
            && delimited(v)
            && names.size() < AccessLogMapper.MAX_LISTED_RULES) {
          String s = scalarString(in);
          if (s != null && !s.isEmpty()) {
            names.add(s);
          }
        } else {
          in.skipField(v);
        }
      }
      in.popLimit(list);
    }
    in.popLimit(limit);
    return names;
  }

  /** A {@code Value}'s string, null for any other kind. */
  private static String scalarString(CodedInputStream in) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    String s = null;
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      if (WireFormat.getTagFieldNumber(t) == Value.STRING_VALUE_FIELD_NUMBER && delimited(t)) {
        s = in.readString();
      } else {
        in.skipField(t);
        s = null;
      }
    }
    in.popLimit(limit);
    return s;
  }

  /** A {@code map<string, string>} entry as {key, value}, either null when absent. */
  private static String[] mapEntry(CodedInputStream in) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    String[] kv = new String[2];
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(t);
      if ((field == 1 || field == 2) && delimited(t)) {
        kv[field - 1] = in.readString();
      } else {
        in.skipField(t);
      }
    }
    in.popLimit(limit);
    return kv;
  }

  /** An {@code Address}'s socket address, "" for a pipe or an internal address. */
  private static String address(CodedInputStream in) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    String ip = "";
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      if (WireFormat.getTagFieldNumber(t) == Address.SOCKET_ADDRESS_FIELD_NUMBER && delimited(t)) {
        int socket = in.pushLimit(in.readRawVarint32());
        for (int s = in.readTag(); s != 0; s = in.readTag()) {
          if (WireFormat.getTagFieldNumber(s) == SocketAddress.ADDRESS_FIELD_NUMBER
              && delimited(s)) {
            ip = in.readString();
          } else {
            in.skipField(s);
          }
        }
        in.popLimit(socket);
      } else {
        in.skipField(t);
      }
    }
    in.popLimit(limit);
    return ip;
  }

  /** A {@code Timestamp} in epoch milliseconds. */
  private static long millis(CodedInputStream in) throws IOException {
    long[] secondsNanos = secondsNanos(in);
    return secondsNanos[0] * 1000 + secondsNanos[1] / 1_000_000;
  }

  /** A {@code Duration} in microseconds. */
  private static long micros(CodedInputStream in) throws IOException {
    long[] secondsNanos = secondsNanos(in);
    return secondsNanos[0] * 1_000_000 + secondsNanos[1] / 1_000;
  }

  /** Timestamp and Duration share their layout: seconds (1), nanos (2). */
  private static long[] secondsNanos(CodedInputStream in) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    long[] v = new long[2];
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(t);
      if (field == Timestamp.SECONDS_FIELD_NUMBER
          && WireFormat.getTagWireType(t) == WireFormat.WIRETYPE_VARINT) {
        v[0] = in.readInt64();
      } else if (field == Timestamp.NANOS_FIELD_NUMBER
          && WireFormat.getTagWireType(t) == WireFormat.WIRETYPE_VARINT) {
        v[1] = in.readInt32();
      } else {
        in.skipField(t);
      }
    }
    in.popLimit(limit);
    return v;
  }

  @FunctionalInterface
  private interface FieldReader<T> {
    void read(CodedInputStream in, T target, int tag) throws IOException;
  }

  /** Reads one length-delimited sub-message field by field. */
  private static <T> void nested(CodedInputStream in, T target, FieldReader<T> reader)
      throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    for (int t = in.readTag(); t != 0; t = in.readTag()) {
      reader.read(in, target, t);
    }
    in.popLimit(limit);
  }

  private static boolean delimited(int tag) {
    return WireFormat.getTagWireType(tag) == LENGTH_DELIMITED;
  }
}
