package io.tollgate.controlplane.xds;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tollgate's ADS endpoint. java-control-plane's {@code V3DiscoveryServer} serves Envoy's types from
 * the snapshot cache but fails on any other type URL, so each state-of-the-world stream is split:
 * {@code RateLimitConfig} requests are answered from the {@link RateLimitConfigFeed}, everything
 * else by java-control-plane, both through one serialized writer. Delta streams (Envoy's types
 * only) pass straight through.
 */
public final class AdsService extends AggregatedDiscoveryServiceImplBase {

  private final AggregatedDiscoveryServiceImplBase envoyTypes;
  private final RateLimitConfigFeed rateLimitConfigs;
  private final DiscoveryServerCallbacks callbacks;
  private final AtomicLong streamIds = new AtomicLong();

  /**
   * @param envoyTypes {@code V3DiscoveryServer#getAggregatedDiscoveryServiceImpl()}
   * @param callbacks told of every stream event of every type, with this service's stream ids
   */
  public AdsService(
      AggregatedDiscoveryServiceImplBase envoyTypes,
      RateLimitConfigFeed rateLimitConfigs,
      DiscoveryServerCallbacks callbacks) {
    this.envoyTypes = envoyTypes;
    this.rateLimitConfigs = rateLimitConfigs;
    this.callbacks = callbacks;
  }

  @Override
  public StreamObserver<DiscoveryRequest> streamAggregatedResources(
      StreamObserver<DiscoveryResponse> responses) {
    long id = streamIds.getAndIncrement();
    try {
      callbacks.onStreamOpen(id, "");
    } catch (RequestException e) {
      responses.onError(e.getStatus().asRuntimeException());
      return new NoopObserver<>();
    }
    ResponseWriter writer = new ResponseWriter(id, responses, callbacks);
    return new AdsStream(
        id,
        writer,
        envoyTypes.streamAggregatedResources(writer),
        new RateLimitConfigStream(rateLimitConfigs, writer),
        callbacks);
  }

  @Override
  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
      StreamObserver<DeltaDiscoveryResponse> responses) {
    return envoyTypes.deltaAggregatedResources(responses);
  }

  private static final class NoopObserver<T> implements StreamObserver<T> {
    @Override
    public void onNext(T value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
