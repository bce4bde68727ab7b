package io.tollgate.controlplane.accesslog;

import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tollgate.controlplane.stats.StatsIngest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs}: every Envoy streams its
 * HTTP access log here. Each entry only updates in-memory aggregates, on the calling gRPC thread,
 * without I/O; TCP entries are ignored.
 */
@Component
class AccessLogSink extends AccessLogServiceGrpc.AccessLogServiceImplBase {

  private static final Logger log = LoggerFactory.getLogger(AccessLogSink.class);

  private final StatsIngest ingest;

  AccessLogSink(StatsIngest ingest) {
    this.ingest = ingest;
  }

  @Override
  public StreamObserver<StreamAccessLogsMessage> streamAccessLogs(
      StreamObserver<StreamAccessLogsResponse> responses) {
    return new StreamObserver<>() {
      private String node = "?";

      @Override
      public void onNext(StreamAccessLogsMessage message) {
        if (message.hasIdentifier()) {
          node = message.getIdentifier().getNode().getId();
          log.info("access-log stream opened by node {}", node);
        }
        int n = message.getHttpLogs().getLogEntryCount();
        for (int i = 0; i < n; i++) {
          HTTPAccessLogEntry entry = message.getHttpLogs().getLogEntry(i);
          ingest.accept(AccessLogMapper.map(entry));
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
}
