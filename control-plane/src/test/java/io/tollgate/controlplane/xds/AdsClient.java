package io.tollgate.controlplane.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A minimal state-of-the-world ADS client over loopback, playing an Envoy or a rate-limit service.
 */
final class AdsClient implements AutoCloseable {

  private final ManagedChannel channel;
  private final Node node;
  private final BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
  private final Map<String, List<String>> subscriptions = new ConcurrentHashMap<>();
  private final StreamObserver<DiscoveryRequest> requests;
  private final CompletableFuture<io.grpc.Status> ended = new CompletableFuture<>();

  AdsClient(int port, String nodeId) {
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    this.node = Node.newBuilder().setId(nodeId).setCluster("test").build();
    this.requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DiscoveryResponse response) {
                    responses.add(response);
                  }

                  @Override
                  public void onError(Throwable t) {
                    ended.complete(io.grpc.Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    ended.complete(io.grpc.Status.OK);
                  }
                });
  }

  /** The first request for a type: all resources when no names are given. */
  void subscribe(String typeUrl, String... names) {
    subscriptions.put(typeUrl, List.of(names));
    requests.onNext(base(typeUrl).build());
  }

  /** The first request of a reconnecting client, claiming the version it already runs. */
  void resume(String typeUrl, String runningVersion) {
    subscriptions.put(typeUrl, List.of());
    requests.onNext(base(typeUrl).setVersionInfo(runningVersion).build());
  }

  void ack(DiscoveryResponse response) {
    requests.onNext(
        base(response.getTypeUrl())
            .setVersionInfo(response.getVersionInfo())
            .setResponseNonce(response.getNonce())
            .build());
  }

  void nack(DiscoveryResponse response, String acceptedVersion, String reason) {
    requests.onNext(
        base(response.getTypeUrl())
            .setVersionInfo(acceptedVersion)
            .setResponseNonce(response.getNonce())
            .setErrorDetail(Status.newBuilder().setCode(3).setMessage(reason))
            .build());
  }

  /** A request on this stream that claims to come from another node. */
  void subscribeAs(String otherNodeId, String typeUrl) {
    requests.onNext(
        base(typeUrl).setNode(Node.newBuilder().setId(otherNodeId).setCluster("test")).build());
  }

  /** How the server ended the stream. */
  io.grpc.Status awaitEnd() throws Exception {
    return ended.get(5, TimeUnit.SECONDS);
  }

  DiscoveryResponse next(String typeUrl) throws InterruptedException {
    DiscoveryResponse r = responses.poll(5, TimeUnit.SECONDS);
    assertThat(r).as("a %s response within 5 s", typeUrl).isNotNull();
    assertThat(r.getTypeUrl()).isEqualTo(typeUrl);
    return r;
  }

  void expectNothingFor(Duration quiet) throws InterruptedException {
    assertThat(responses.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)).isNull();
  }

  private DiscoveryRequest.Builder base(String typeUrl) {
    return DiscoveryRequest.newBuilder()
        .setNode(node)
        .setTypeUrl(typeUrl)
        .addAllResourceNames(subscriptions.getOrDefault(typeUrl, List.of()));
  }

  @Override
  public void close() throws InterruptedException {
    requests.onCompleted();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
