package io.tollgate.controlplane.xds;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's ADS stream. Requests for {@code RateLimitConfig} go to a {@link
 * RateLimitConfigStream}; the rest to java-control-plane's handler for the same stream. Every
 * request and response is reported to the callbacks with this stream's id, whatever its type.
 */
final class AdsStream implements StreamObserver<DiscoveryRequest> {

  private static final Logger log = LoggerFactory.getLogger(AdsStream.class);

  private final long id;
  private final ResponseWriter writer;
  private final StreamObserver<DiscoveryRequest> envoyTypes;
  private final RateLimitConfigStream rateLimitConfigs;
  private final DiscoveryServerCallbacks callbacks;

  /**
   * @param envoyTypes java-control-plane's request handler, already bound to {@code writer}
   */
  AdsStream(
      long id,
      ResponseWriter writer,
      StreamObserver<DiscoveryRequest> envoyTypes,
      RateLimitConfigStream rateLimitConfigs,
      DiscoveryServerCallbacks callbacks) {
    this.id = id;
    this.writer = writer;
    this.envoyTypes = envoyTypes;
    this.rateLimitConfigs = rateLimitConfigs;
    this.callbacks = callbacks;
  }

  @Override
  public void onNext(DiscoveryRequest request) {
    try {
      callbacks.onV3StreamRequest(id, request);
    } catch (RequestException e) {
      log.warn("[{}] ADS request refused: {}", id, e.getMessage());
      close(e);
      return;
    }
    writer.requested(request);
    if (RateLimitConfigStream.isFor(request)) {
      rateLimitConfigs.onRequest(request);
    } else {
      envoyTypes.onNext(forCache(request));
    }
  }

  /**
   * A client's first request for a type on a new stream always gets the whole current snapshot,
   * whatever version it claims: Envoy may have applied a rejected update in part (dropping some
   * clusters) while still reporting the last accepted version, and java-control-plane answers
   * nothing to a client that claims the current version, so it would stay broken until the next
   * change. The callbacks have already seen the claimed version, so the node registry keeps it.
   */
  private DiscoveryRequest forCache(DiscoveryRequest request) {
    if (request.getResponseNonce().isEmpty() && !request.getVersionInfo().isEmpty()) {
      return request.toBuilder().clearVersionInfo().build();
    }
    return withoutRetryOfRejected(request);
  }

  /**
   * A NACK of the last response waits for a new version (the xDS protocol; Envoy keeps its last
   * good config meanwhile). java-control-plane would answer it at once: the NACK carries the last
   * <em>accepted</em> version, which differs from the snapshot's, and it counts resource names as
   * known only on an ACK, so a NACK of a by-name subscription (routes) looks like a request for new
   * names. Each resend is NACKed again: a tight loop. So the NACK reaches it as the ACK of what was
   * sent; the callbacks have already seen it as the NACK it is.
   */
  private DiscoveryRequest withoutRetryOfRejected(DiscoveryRequest request) {
    ResponseWriter.Sent sent = writer.lastSent(request.getTypeUrl());
    if (!request.hasErrorDetail()
        || sent == null
        || !sent.nonce().equals(request.getResponseNonce())) {
      return request;
    }
    return request.toBuilder().clearErrorDetail().setVersionInfo(sent.version()).build();
  }

  @Override
  public void onError(Throwable t) {
    if (Status.fromThrowable(t).getCode() != Status.Code.CANCELLED) {
      log.debug("[{}] ADS stream failed", id, t);
    }
    rateLimitConfigs.close();
    callbacks.onStreamCloseWithError(id, "", t);
    envoyTypes.onError(t);
  }

  @Override
  public void onCompleted() {
    rateLimitConfigs.close();
    callbacks.onStreamClose(id, "");
    envoyTypes.onCompleted();
  }

  private void close(RequestException refusal) {
    rateLimitConfigs.close();
    callbacks.onStreamCloseWithError(id, "", refusal);
    writer.onError(refusal.getStatus().asRuntimeException());
    envoyTypes.onError(Status.CANCELLED.withCause(refusal).asRuntimeException());
  }
}
