package io.tollgate.bench.ratelimit;

import static io.tollgate.bench.ratelimit.Http2Wire.CONTINUATION;
import static io.tollgate.bench.ratelimit.Http2Wire.DATA;
import static io.tollgate.bench.ratelimit.Http2Wire.FLAG_ACK;
import static io.tollgate.bench.ratelimit.Http2Wire.FLAG_END_HEADERS;
import static io.tollgate.bench.ratelimit.Http2Wire.FLAG_END_STREAM;
import static io.tollgate.bench.ratelimit.Http2Wire.FLAG_PADDED;
import static io.tollgate.bench.ratelimit.Http2Wire.FLAG_PRIORITY;
import static io.tollgate.bench.ratelimit.Http2Wire.FRAME_HEADER_LENGTH;
import static io.tollgate.bench.ratelimit.Http2Wire.GOAWAY;
import static io.tollgate.bench.ratelimit.Http2Wire.HEADERS;
import static io.tollgate.bench.ratelimit.Http2Wire.PING;
import static io.tollgate.bench.ratelimit.Http2Wire.RST_STREAM;
import static io.tollgate.bench.ratelimit.Http2Wire.SETTINGS;
import static io.tollgate.bench.ratelimit.Http2Wire.SETTINGS_ENABLE_PUSH;
import static io.tollgate.bench.ratelimit.Http2Wire.SETTINGS_INITIAL_WINDOW_SIZE;
import static io.tollgate.bench.ratelimit.Http2Wire.SETTINGS_MAX_CONCURRENT_STREAMS;
import static io.tollgate.bench.ratelimit.Http2Wire.WINDOW_UPDATE;
import static io.tollgate.bench.ratelimit.Http2Wire.frameHeader;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.codec.ByteToMessageDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import java.util.Arrays;
import java.util.List;

/**
 * One HTTP/2 connection carrying unary gRPC calls, framed by hand: per call one HEADERS frame (a
 * header block encoded once) and one DATA frame, in one buffer. Netty's HTTP/2 codec and
 * grpc-java's client each cost more CPU per call than the service under test, which would leave the
 * generator, not the service, as the bottleneck on a shared 2-core machine. Answers are read just
 * far enough for a benchmark: {@code grpc-status} from the trailers (HPACK-decoded by Netty's
 * decoder) and the first varint of the response message. Flow control, SETTINGS and PING are
 * honoured. Everything runs on one event-loop thread.
 */
final class GrpcConnection extends ByteToMessageDecoder {

  /** Calls in flight per connection, at most; more are counted as skipped. */
  static final int SLOTS = 1 << 16;

  /** The window this end grants, per stream and for the connection. */
  private static final int RECEIVE_WINDOW = 1 << 30;

  private static final int DEFAULT_WINDOW = 65_535;
  private static final String GRPC_STATUS = "grpc-status";

  private final byte[] headerBlock;
  private final Tally tally;
  private final DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(false);
  private final long[] intended = new long[SLOTS];
  private final int[] firstField = new int[SLOTS];
  private final boolean[] active = new boolean[SLOTS];
  private ChannelHandlerContext ctx;
  private int nextStream = 1;
  private int inFlight;
  private long maxConcurrent = Long.MAX_VALUE;
  private long sendWindow = DEFAULT_WINDOW;
  private long streamSendWindow = DEFAULT_WINDOW;
  private long unacknowledged;
  private boolean open = true;
  private boolean unflushed;
  private ByteBuf continued;
  private int continuedStream;
  private boolean continuedEnd;

  GrpcConnection(byte[] headerBlock, Tally tally) {
    this.headerBlock = headerBlock;
    this.tally = tally;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    this.ctx = ctx;
    ByteBuf out = ctx.alloc().buffer();
    out.writeBytes(Http2Wire.PREFACE);
    frameHeader(out, 12, SETTINGS, 0, 0);
    out.writeShort(SETTINGS_ENABLE_PUSH).writeInt(0);
    out.writeShort(SETTINGS_INITIAL_WINDOW_SIZE).writeInt(RECEIVE_WINDOW);
    frameHeader(out, 4, WINDOW_UPDATE, 0, 0);
    out.writeInt(RECEIVE_WINDOW - DEFAULT_WINDOW);
    ctx.writeAndFlush(out, ctx.voidPromise());
    super.channelActive(ctx);
  }

  /** Queues one call, due at {@code intendedNanos}, with the gRPC-framed {@code body}. */
  void send(byte[] body, long intendedNanos) {
    if (!open || ctx == null || !ctx.channel().isActive() || nextStream < 0) {
      tally.errors++;
      return;
    }
    if (inFlight >= SLOTS - 1
        || inFlight >= maxConcurrent
        || sendWindow < body.length
        || streamSendWindow < body.length) {
      tally.skipped++;
      return;
    }
    int stream = nextStream;
    nextStream += 2;
    int slot = slot(stream);
    intended[slot] = intendedNanos;
    firstField[slot] = 0;
    active[slot] = true;
    inFlight++;
    tally.inFlight++;
    sendWindow -= body.length;
    ByteBuf out =
        ctx.alloc().directBuffer(2 * FRAME_HEADER_LENGTH + headerBlock.length + body.length);
    frameHeader(out, headerBlock.length, HEADERS, FLAG_END_HEADERS, stream);
    out.writeBytes(headerBlock);
    frameHeader(out, body.length, DATA, FLAG_END_STREAM, stream);
    out.writeBytes(body);
    ctx.write(out, ctx.voidPromise());
    unflushed = true;
  }

  void flush() {
    if (unflushed) {
      unflushed = false;
      ctx.flush();
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws Http2Exception {
    while (in.readableBytes() >= FRAME_HEADER_LENGTH) {
      int start = in.readerIndex();
      int length = in.getUnsignedMedium(start);
      if (in.readableBytes() < FRAME_HEADER_LENGTH + length) {
        return;
      }
      int type = in.getUnsignedByte(start + 3);
      int flags = in.getUnsignedByte(start + 4);
      int stream = in.getInt(start + 5) & Integer.MAX_VALUE;
      ByteBuf payload = in.slice(start + FRAME_HEADER_LENGTH, length);
      in.skipBytes(FRAME_HEADER_LENGTH + length);
      frame(type, flags, stream, payload);
    }
  }

  private void frame(int type, int flags, int stream, ByteBuf payload) throws Http2Exception {
    switch (type) {
      case DATA -> data(flags, stream, payload);
      case HEADERS -> {
        ByteBuf block = unpadded(flags, payload);
        if ((flags & FLAG_PRIORITY) != 0) {
          block.skipBytes(5);
        }
        boolean end = (flags & FLAG_END_STREAM) != 0;
        if ((flags & FLAG_END_HEADERS) != 0) {
          headers(stream, block, end);
        } else {
          continued = ctx.alloc().buffer().writeBytes(block);
          continuedStream = stream;
          continuedEnd = end;
        }
      }
      case CONTINUATION -> {
        continued.writeBytes(payload);
        if ((flags & FLAG_END_HEADERS) != 0) {
          try {
            headers(continuedStream, continued, continuedEnd);
          } finally {
            continued.release();
            continued = null;
          }
        }
      }
      case RST_STREAM -> answered(stream, false);
      case SETTINGS -> settings(flags, payload);
      case PING -> {
        if ((flags & FLAG_ACK) == 0) {
          ByteBuf pong = ctx.alloc().buffer(FRAME_HEADER_LENGTH + 8);
          frameHeader(pong, 8, PING, FLAG_ACK, 0);
          pong.writeBytes(payload);
          ctx.writeAndFlush(pong, ctx.voidPromise());
        }
      }
      case GOAWAY -> open = false;
      case WINDOW_UPDATE -> {
        if (stream == 0) {
          sendWindow += payload.readInt() & Integer.MAX_VALUE;
        }
      }
      default -> {
        // PRIORITY, PUSH_PROMISE (disabled) and unknown types need nothing here.
      }
    }
  }

  private void data(int flags, int stream, ByteBuf payload) {
    unacknowledged += payload.readableBytes();
    ByteBuf message = unpadded(flags, payload);
    int slot = slot(stream);
    int r = message.readerIndex();
    // A 5-byte gRPC message prefix, then field 1 as a varint: tag 0x08 and a one-byte value.
    if (active[slot] && message.readableBytes() >= 7 && message.getByte(r + 5) == 0x08) {
      firstField[slot] = message.getByte(r + 6);
    }
    if ((flags & FLAG_END_STREAM) != 0) {
      answered(stream, false);
    }
    if (unacknowledged >= RECEIVE_WINDOW / 2) {
      ByteBuf update = ctx.alloc().buffer(FRAME_HEADER_LENGTH + 4);
      frameHeader(update, 4, WINDOW_UPDATE, 0, 0);
      update.writeInt((int) unacknowledged);
      ctx.writeAndFlush(update, ctx.voidPromise());
      unacknowledged = 0;
    }
  }

  private void headers(int stream, ByteBuf block, boolean endOfStream) throws Http2Exception {
    // Every block goes through the decoder, which keeps HPACK's dynamic table in step.
    Http2Headers headers = hpack.decodeHeaders(stream, block);
    if (endOfStream) {
      CharSequence status = headers.get(GRPC_STATUS);
      answered(stream, status != null && status.length() == 1 && status.charAt(0) == '0');
    }
  }

  private void settings(int flags, ByteBuf payload) {
    if ((flags & FLAG_ACK) != 0) {
      return;
    }
    while (payload.readableBytes() >= 6) {
      int id = payload.readUnsignedShort();
      long value = payload.readUnsignedInt();
      if (id == SETTINGS_MAX_CONCURRENT_STREAMS) {
        maxConcurrent = value;
      } else if (id == SETTINGS_INITIAL_WINDOW_SIZE) {
        streamSendWindow = value;
      }
    }
    ByteBuf ack = ctx.alloc().buffer(FRAME_HEADER_LENGTH);
    frameHeader(ack, 0, SETTINGS, FLAG_ACK, 0);
    ctx.writeAndFlush(ack, ctx.voidPromise());
  }

  private static ByteBuf unpadded(int flags, ByteBuf payload) {
    if ((flags & FLAG_PADDED) == 0) {
      return payload;
    }
    int padding = payload.readUnsignedByte();
    return payload.slice(payload.readerIndex(), payload.readableBytes() - padding);
  }

  private void answered(int stream, boolean grpcOk) {
    int slot = slot(stream);
    if (!active[slot]) {
      return;
    }
    active[slot] = false;
    inFlight--;
    tally.inFlight--;
    tally.answered(grpcOk, firstField[slot], intended[slot]);
  }

  /** Calls still in flight when the connection closes count as errors. */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    open = false;
    tally.errors += inFlight;
    tally.inFlight -= inFlight;
    inFlight = 0;
    Arrays.fill(active, false);
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    System.err.println("connection failed: " + cause);
    ctx.close();
  }

  private static int slot(int streamId) {
    return (streamId >>> 1) & (SLOTS - 1);
  }
}
