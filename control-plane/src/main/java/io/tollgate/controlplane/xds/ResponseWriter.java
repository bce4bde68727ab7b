package io.tollgate.controlplane.xds;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one writer of an ADS stream's responses, shared by java-control-plane's handler (Envoy's
 * types) and {@link RateLimitConfigStream}: serializes writes (a gRPC observer is not thread-safe),
 * remembers what was last sent per type, and reports each response to the callbacks before it
 * leaves, so an ACK can never overtake the record of what it acknowledges.
 */
final class ResponseWriter implements StreamObserver<DiscoveryResponse> {

  /** What went out last for one type URL. */
  record Sent(String nonce, String version) {}

  private final long streamId;
  private final StreamObserver<DiscoveryResponse> delegate;
  private final DiscoveryServerCallbacks callbacks;
  private final Map<String, Sent> lastSent = new ConcurrentHashMap<>();
  private final Map<String, DiscoveryRequest> lastRequest = new ConcurrentHashMap<>();
  private boolean closed;

  ResponseWriter(
      long streamId,
      StreamObserver<DiscoveryResponse> delegate,
      DiscoveryServerCallbacks callbacks) {
    this.streamId = streamId;
    this.delegate = delegate;
    this.callbacks = callbacks;
  }

  /** Notes the request a later response of its type answers (for the callbacks). */
  void requested(DiscoveryRequest request) {
    lastRequest.put(request.getTypeUrl(), request);
  }

  Sent lastSent(String typeUrl) {
    return lastSent.get(typeUrl);
  }

  @Override
  public synchronized void onNext(DiscoveryResponse response) {
    if (closed) {
      return;
    }
    String typeUrl = response.getTypeUrl();
    lastSent.put(typeUrl, new Sent(response.getNonce(), response.getVersionInfo()));
    callbacks.onV3StreamResponse(
        streamId,
        lastRequest.getOrDefault(typeUrl, DiscoveryRequest.getDefaultInstance()),
        response);
    try {
      delegate.onNext(response);
    } catch (StatusRuntimeException e) {
      // The client went away between our check and the write; the close path cleans up.
      if (e.getStatus().getCode() != Status.Code.CANCELLED) {
        throw e;
      }
    }
  }

  @Override
  public synchronized void onError(Throwable t) {
    if (!closed) {
      closed = true;
      delegate.onError(t);
    }
  }

  @Override
  public synchronized void onCompleted() {
    if (!closed) {
      closed = true;
      delegate.onCompleted();
    }
  }
}
