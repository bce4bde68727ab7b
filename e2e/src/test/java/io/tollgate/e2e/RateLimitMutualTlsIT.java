package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.tollgate.testsupport.Scratch;
import io.tollgate.testsupport.TestCa;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Envoy's calls to the rate-limit service under mutual TLS, with real processes: the control plane
 * configured with {@code TOLLGATE_RATELIMIT_TLS_*}, the service with the reference's {@code
 * GRPC_SERVER_USE_TLS} and {@code GRPC_CLIENT_TLS_CACERT}. Limits are enforced (so the TLS call
 * works; Envoy fails closed, so a broken call would be a 500), and a client without a certificate
 * of the CA is refused at the handshake.
 */
class RateLimitMutualTlsIT {

  private static Path dir;
  private static TestCa ca;
  private static LimitsStack stack;

  @BeforeAll
  static void start() {
    dir = Scratch.create("ratelimit-tls");
    ca = TestCa.create(dir, "ratelimit");
    stack = LimitsStack.start(new LimitsStack.Variant(false, false, true), ca);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    Scratch.delete(dir);
  }

  @Test
  void envoyCallsTheServiceOverMutualTlsAndTheLimitHolds() {
    long version =
        stack.create(
            """
            {"name":"per-ip-tls","match":{"pathPrefix":"/categories/"},"by":["ip"],
             "limit":{"requests":2,"per":"minute"}}""");
    stack.awaitApplied(version);
    LimitsSuite.awaitFreshMinuteIfNearItsEnd();

    for (int i = 1; i <= 2; i++) {
      assertThat(stack.get(LimitsSuite.IP1, "/categories/MLA1051").status())
          .as("request %d", i)
          .isEqualTo(200);
    }
    LimitsSuite.assertLimited(stack.get(LimitsSuite.IP1, "/categories/MLA1051"), "per-ip-tls");
    assertThat(stack.envoyCounterSum("cluster.tollgate_ratelimit.ssl.handshake")).isPositive();
  }

  @Test
  void aClientWithoutACertificateOfTheCaCannotCallShouldRateLimit() throws IOException {
    TestCa otherCa = TestCa.create(dir, "other");
    assertThat(call(InsecureChannelCredentials.create()).getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(call(tls(null)).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(call(tls(otherCa.issueClientCertificate("foreign", TestCa.ENVOY_ROLE))).getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
    // The same call with a certificate of the CA is answered: the refusals are the handshake's.
    assertThat(call(tls(ca.issueClientCertificate("client", TestCa.ENVOY_ROLE))).isOk()).isTrue();
  }

  /** TLS trusting the CA, presenting {@code certificate} (null: none). */
  private static ChannelCredentials tls(TestCa.ClientCertificate certificate) throws IOException {
    TlsChannelCredentials.Builder tls =
        TlsChannelCredentials.newBuilder().trustManager(ca.caFile().toFile());
    if (certificate != null) {
      tls.keyManager(certificate.certFile().toFile(), certificate.keyFile().toFile());
    }
    return tls.build();
  }

  /** One ShouldRateLimit call on the service's gRPC port; its status. */
  private static Status call(ChannelCredentials credentials) {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress("127.0.0.1", stack.rateLimit().grpcPort(), credentials)
            .build();
    try {
      RateLimitRequest request =
          RateLimitRequest.newBuilder()
              .setDomain("tollgate")
              .addDescriptors(
                  RateLimitDescriptor.newBuilder()
                      .addEntries(
                          RateLimitDescriptor.Entry.newBuilder().setKey("probe").setValue("probe")))
              .build();
      RateLimitResponse response =
          RateLimitServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .shouldRateLimit(request);
      assertThat(response.getOverallCode()).isEqualTo(RateLimitResponse.Code.OK);
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    } finally {
      channel.shutdownNow();
    }
  }
}
