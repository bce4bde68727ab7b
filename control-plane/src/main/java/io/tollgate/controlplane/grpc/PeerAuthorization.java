package io.tollgate.controlplane.grpc;

import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Under mutual TLS, which certificate role may call which service: ADS for Envoys and rate-limit
 * services, the access-log stream for Envoys only, health for any; every other service for none.
 * The TLS handshake has already checked the certificate against the client CA; this checks what it
 * is for, and answers PERMISSION_DENIED otherwise.
 */
final class PeerAuthorization implements ServerInterceptor {

  private static final Logger log = LoggerFactory.getLogger(PeerAuthorization.class);

  static final Map<String, Set<PeerRole>> ALLOWED =
      Map.of(
          AggregatedDiscoveryServiceGrpc.SERVICE_NAME,
          EnumSet.of(PeerRole.ENVOY, PeerRole.RATELIMIT),
          AccessLogServiceGrpc.SERVICE_NAME,
          EnumSet.of(PeerRole.ENVOY),
          HealthGrpc.SERVICE_NAME,
          EnumSet.allOf(PeerRole.class));

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String service = call.getMethodDescriptor().getServiceName();
    Set<PeerRole> allowed = ALLOWED.getOrDefault(service, Set.of());
    Set<PeerRole> roles = roles(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    if (Collections.disjoint(allowed, roles)) {
      String why =
          (roles.isEmpty()
                  ? "a client certificate naming no Tollgate role"
                  : "a client certificate of role " + roles)
              + " may not call "
              + service
              + (allowed.isEmpty() ? "" : "; allowed: " + allowed);
      log.warn(
          "gRPC call refused from {}: {}",
          call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
          why);
      call.close(Status.PERMISSION_DENIED.withDescription(why), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  private static Set<PeerRole> roles(SSLSession session) {
    if (session == null) {
      return Set.of();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate leaf
          ? PeerRole.of(leaf)
          : Set.of();
    } catch (SSLPeerUnverifiedException e) {
      return Set.of();
    }
  }
}
