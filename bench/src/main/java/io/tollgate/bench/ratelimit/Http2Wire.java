package io.tollgate.bench.ratelimit;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few pieces of HTTP/2 (RFC 9113) and HPACK (RFC 7541) wire format a unary gRPC call needs. The
 * request header block uses only the static table and literals without indexing, so it is the same
 * bytes for every call and can be encoded once.
 */
final class Http2Wire {

  static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  static final int FRAME_HEADER_LENGTH = 9;

  static final int DATA = 0x0;
  static final int HEADERS = 0x1;
  static final int RST_STREAM = 0x3;
  static final int SETTINGS = 0x4;
  static final int PING = 0x6;
  static final int GOAWAY = 0x7;
  static final int WINDOW_UPDATE = 0x8;
  static final int CONTINUATION = 0x9;

  static final int FLAG_END_STREAM = 0x1;
  static final int FLAG_ACK = 0x1;
  static final int FLAG_END_HEADERS = 0x4;
  static final int FLAG_PADDED = 0x8;
  static final int FLAG_PRIORITY = 0x20;

  static final int SETTINGS_ENABLE_PUSH = 0x2;
  static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
  static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;

  /** HPACK static table indices (RFC 7541, Appendix A). */
  private static final int AUTHORITY = 1;

  private static final int METHOD_POST = 3;
  private static final int PATH = 4;
  private static final int SCHEME_HTTP = 6;
  private static final int CONTENT_TYPE = 31;

  private Http2Wire() {}

  static void frameHeader(ByteBuf out, int length, int type, int flags, int streamId) {
    out.writeMedium(length).writeByte(type).writeByte(flags).writeInt(streamId);
  }

  /** The HPACK block of a gRPC request to {@code path}. */
  static byte[] requestHeaderBlock(String authority, String path) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    integer(out, 0x80, 7, METHOD_POST);
    integer(out, 0x80, 7, SCHEME_HTTP);
    literal(out, PATH, path);
    literal(out, AUTHORITY, authority);
    literal(out, CONTENT_TYPE, "application/grpc");
    out.write(0x00); // a literal without indexing, with a new name
    string(out, "te");
    string(out, "trailers");
    return out.toByteArray();
  }

  /** A literal header field without indexing whose name is in the static table. */
  private static void literal(ByteArrayOutputStream out, int nameIndex, String value) {
    integer(out, 0x00, 4, nameIndex);
    string(out, value);
  }

  private static void string(ByteArrayOutputStream out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
    integer(out, 0x00, 7, bytes.length);
    out.writeBytes(bytes);
  }

  /** An HPACK integer with an {@code prefixBits}-bit prefix after the bits of {@code first}. */
  private static void integer(ByteArrayOutputStream out, int first, int prefixBits, int value) {
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      out.write(first | value);
      return;
    }
    out.write(first | max);
    int rest = value - max;
    while (rest >= 128) {
      out.write((rest & 127) | 128);
      rest >>>= 7;
    }
    out.write(rest);
  }
}
