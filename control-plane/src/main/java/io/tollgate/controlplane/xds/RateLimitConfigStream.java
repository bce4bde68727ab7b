package io.tollgate.controlplane.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Set;

/**
 * State-of-the-world serving of {@code RateLimitConfig} on one ADS stream, with the same rules
 * java-control-plane applies to Envoy's types: answer the first request at once, then after each
 * ACK or NACK wait for a version the client does not have. A NACK does not get the rejected version
 * again (that would loop); the client keeps its last good config until a new one is published.
 */
final class RateLimitConfigStream {

  private record Watch(String knownVersion, Set<String> names) {}

  private final RateLimitConfigFeed feed;
  private final StreamObserver<DiscoveryResponse> writer;
  private Runnable unsubscribe;
  private Watch watch;
  private String lastNonce;
  private String lastVersion;
  private long nonces;
  private boolean closed;

  RateLimitConfigStream(RateLimitConfigFeed feed, StreamObserver<DiscoveryResponse> writer) {
    this.feed = feed;
    this.writer = writer;
  }

  synchronized void onRequest(DiscoveryRequest request) {
    if (closed) {
      return;
    }
    if (unsubscribe == null) {
      unsubscribe = feed.subscribe(this::onPublish);
    }
    if (lastNonce != null && !lastNonce.equals(request.getResponseNonce())) {
      return; // answers an older response; the newer one is still in flight
    }
    String known =
        request.hasErrorDetail() && lastNonce != null ? lastVersion : request.getVersionInfo();
    watch = new Watch(known, Set.copyOf(request.getResourceNamesList()));
    respondIfNewer(feed.current());
  }

  synchronized void close() {
    closed = true;
    watch = null;
    if (unsubscribe != null) {
      unsubscribe.run();
    }
  }

  private synchronized void onPublish(RateLimitConfigFeed.Versioned published) {
    if (!closed) {
      respondIfNewer(published);
    }
  }

  private void respondIfNewer(RateLimitConfigFeed.Versioned published) {
    if (watch == null || published.version().isEmpty()) {
      return;
    }
    // The first answer on a stream is sent even for the version the client claims, so a client
    // that reconnects is sure to hold the current config.
    if (lastNonce != null && published.version().equals(watch.knownVersion())) {
      return;
    }
    List<Any> resources =
        published.configs().stream()
            .filter(c -> watch.names().isEmpty() || watch.names().contains(c.getName()))
            .map(Any::pack)
            .toList();
    lastNonce = "rls-" + nonces++;
    lastVersion = published.version();
    watch = null;
    writer.onNext(
        DiscoveryResponse.newBuilder()
            .setVersionInfo(published.version())
            .setTypeUrl(XdsTypeUrls.RATE_LIMIT_CONFIG)
            .setNonce(lastNonce)
            .addAllResources(resources)
            .build());
  }

  static boolean isFor(DiscoveryRequest request) {
    return XdsTypeUrls.RATE_LIMIT_CONFIG.equals(request.getTypeUrl());
  }
}
