package io.tollgate.controlplane.accesslog;

import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.BindableService;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.tollgate.controlplane.stats.AccessRecord;
import io.tollgate.controlplane.stats.StatsIngest;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs}: every Envoy streams its
 * HTTP access log here. Messages are read by {@link AccessLogWire} instead of the generated parser
 * (only the fields the statistics need); each entry only updates in-memory aggregates, on the
 * calling gRPC thread, without I/O; TCP entries are ignored.
 */
@Component
class AccessLogSink implements BindableService {

  private static final Logger log = LoggerFactory.getLogger(AccessLogSink.class);

  /** The service's one method, with the wire reader as its request marshaller. */
  static final MethodDescriptor<AccessLogWire.Message, StreamAccessLogsResponse> METHOD =
      AccessLogServiceGrpc.getStreamAccessLogsMethod().toBuilder(
              new WireMarshaller(),
              ProtoUtils.marshaller(StreamAccessLogsResponse.getDefaultInstance()))
          .build();

  private final StatsIngest ingest;

  AccessLogSink(StatsIngest ingest) {
    this.ingest = ingest;
  }

  @Override
  public ServerServiceDefinition bindService() {
    return ServerServiceDefinition.builder(AccessLogServiceGrpc.SERVICE_NAME)
        .addMethod(METHOD, ServerCalls.asyncBidiStreamingCall(this::streamAccessLogs))
        .build();
  }

  StreamObserver<AccessLogWire.Message> streamAccessLogs(
      StreamObserver<StreamAccessLogsResponse> responses) {
    return new StreamObserver<>() {
      private String node = "?";

      @Override
      public void onNext(AccessLogWire.Message message) {
        if (message.nodeId() != null) {
          node = message.nodeId();
          log.info("access-log stream opened by node {}", node);
        }
        for (AccessRecord r : message.records()) {
          ingest.accept(r);
        }
      }

      @Override
      public void onError(Throwable t) {
        // Envoy reconnects on its own; a closed stream is routine when it restarts.
        if (Status.fromThrowable(t).getCode() != Status.Code.CANCELLED) {
          log.debug("access-log stream from node {} failed: {}", node, t.toString());
        }
      }

      @Override
      public void onCompleted() {
        responses.onNext(StreamAccessLogsResponse.getDefaultInstance());
        responses.onCompleted();
      }
    };
  }

  /** Reads a message; the server never writes one. */
  private static final class WireMarshaller
      implements MethodDescriptor.Marshaller<AccessLogWire.Message> {

    @Override
    public InputStream stream(AccessLogWire.Message value) {
      throw new UnsupportedOperationException("the control plane only receives access logs");
    }

    @Override
    public AccessLogWire.Message parse(InputStream stream) {
      try {
        byte[] bytes =
            stream instanceof KnownLength
                ? stream.readNBytes(stream.available())
                : stream.readAllBytes();
        return AccessLogWire.message(bytes);
      } catch (IOException e) {
        throw Status.INVALID_ARGUMENT
            .withDescription("malformed access-log message: " + e.getMessage())
            .withCause(e)
            .asRuntimeException();
      }
    }
  }
}
