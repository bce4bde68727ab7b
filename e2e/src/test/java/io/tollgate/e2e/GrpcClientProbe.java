package io.tollgate.e2e;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPRequestProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import io.tollgate.testsupport.TestCa;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A gRPC client of the control plane's port playing someone it should not trust: plaintext, TLS
 * without a certificate, a certificate from another CA, or a certificate of the wrong role. Each
 * call reports what the server answered: a response, or the status that ended the stream.
 */
final class GrpcClientProbe implements AutoCloseable {

  static final String LISTENER_TYPE = "type.googleapis.com/envoy.config.listener.v3.Listener";

  private final ManagedChannel channel;

  private GrpcClientProbe(ChannelCredentials credentials, int port) {
    this.channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials).build();
  }

  static GrpcClientProbe plaintext(int port) {
    return new GrpcClientProbe(InsecureChannelCredentials.create(), port);
  }

  /** TLS trusting {@code serverCa}, presenting {@code certificate} (null: none). */
  static GrpcClientProbe tls(int port, Path serverCa, TestCa.ClientCertificate certificate) {
    try {
      TlsChannelCredentials.Builder tls =
          TlsChannelCredentials.newBuilder().trustManager(serverCa.toFile());
      if (certificate != null) {
        tls.keyManager(
            new File(certificate.certFile().toString()),
            new File(certificate.keyFile().toString()));
      }
      return new GrpcClientProbe(tls.build(), port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the server answers an ADS request for every listener, within ten seconds. */
  Outcome fetchListeners(String nodeId) {
    CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    StreamObserver<DiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                endingIn(
                    outcome,
                    (DiscoveryResponse response) ->
                        outcome.complete(new Outcome(Status.OK, response.getResourcesCount()))));
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId(nodeId).setCluster("tollgate"))
            .setTypeUrl(LISTENER_TYPE)
            .build());
    Outcome result = await(outcome);
    requests.onError(Status.CANCELLED.asRuntimeException());
    return result;
  }

  /**
   * Streams {@code entries} forged access-log entries (429s "by rule p" from 6.6.6.6, as in the
   * report) and closes the stream; the status the server ends it with.
   */
  Outcome pushForgedAccessLogs(String nodeId, int entries) {
    CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    StreamObserver<StreamAccessLogsMessage> messages =
        AccessLogServiceGrpc.newStub(channel)
            .streamAccessLogs(endingIn(outcome, (StreamAccessLogsResponse response) -> {}));
    StreamAccessLogsMessage.HTTPAccessLogEntries.Builder batch =
        StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder();
    for (int i = 0; i < entries; i++) {
      batch.addLogEntry(forgedEntry());
    }
    messages.onNext(
        StreamAccessLogsMessage.newBuilder()
            .setIdentifier(
                StreamAccessLogsMessage.Identifier.newBuilder()
                    .setNode(Node.newBuilder().setId(nodeId))
                    .setLogName("tollgate"))
            .setHttpLogs(batch)
            .build());
    messages.onCompleted();
    return await(outcome);
  }

  static final String FORGED_IP = "6.6.6.6";

  private static HTTPAccessLogEntry forgedEntry() {
    return HTTPAccessLogEntry.newBuilder()
        .setCommonProperties(
            AccessLogCommon.newBuilder()
                .setDownstreamRemoteAddress(
                    Address.newBuilder()
                        .setSocketAddress(SocketAddress.newBuilder().setAddress(FORGED_IP))))
        .setRequest(HTTPRequestProperties.newBuilder().setPath("/forged"))
        .setResponse(
            HTTPResponseProperties.newBuilder()
                .setResponseCode(UInt32Value.of(429))
                .putResponseHeaders("x-ratelimit-limit", "1"))
        .build();
  }

  /**
   * Hands each response to {@code onResponse}; completes {@code outcome} with the status that ends
   * the stream (OK and no resources when the server completes it).
   */
  private static <T> StreamObserver<T> endingIn(
      CompletableFuture<Outcome> outcome, Consumer<T> onResponse) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T response) {
        onResponse.accept(response);
      }

      @Override
      public void onError(Throwable t) {
        outcome.complete(new Outcome(Status.fromThrowable(t), 0));
      }

      @Override
      public void onCompleted() {
        outcome.complete(new Outcome(Status.OK, 0));
      }
    };
  }

  private static Outcome await(CompletableFuture<Outcome> outcome) {
    try {
      return outcome.get(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      return new Outcome(Status.DEADLINE_EXCEEDED.withDescription("no answer in 10 s"), 0);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }

  /** The status a call ended with (OK when the server answered) and how many resources came. */
  record Outcome(Status status, int resources) {
    @Override
    public String toString() {
      return status + ", " + resources + " resource(s)";
    }
  }
}
