package io.tollgate.controlplane.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.Status;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tollgate.controlplane.xds.XdsNodeStatus.State;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class XdsNodeRegistryTest {

  private static final Node NODE = Node.newBuilder().setId("envoy-1").setCluster("edge").build();
  private static final String CDS = XdsTypeUrls.CLUSTER;

  private final MutableClock clock = new MutableClock();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final XdsNodeRegistry registry = new XdsNodeRegistry(meters, clock);

  @Test
  void anAckRecordsTheAcceptedVersion() throws Exception {
    registry.onStreamOpen(1, "");
    registry.onV3StreamRequest(1, request("", ""));
    registry.onV3StreamResponse(1, request("", ""), response("v1", "0"));
    clock.advance(Duration.ofSeconds(1));
    registry.onV3StreamRequest(1, request("v1", "0"));

    XdsNodeStatus node = registry.nodes().get(0);
    assertThat(node.id()).isEqualTo("envoy-1");
    assertThat(node.cluster()).isEqualTo("edge");
    assertThat(node.state()).isEqualTo(State.CONNECTED);
    assertThat(node.types())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.typeUrl()).isEqualTo(CDS);
              assertThat(t.sentVersion()).isEqualTo("v1");
              assertThat(t.ackedVersion()).isEqualTo("v1");
              assertThat(t.ackedAt()).isEqualTo(clock.instant());
              assertThat(t.lastNack()).isNull();
            });
  }

  @Test
  void aNackIsRecordedWithTheRejectedVersionAndCountedWhileTheAckedVersionStays() throws Exception {
    registry.onStreamOpen(1, "");
    registry.onV3StreamRequest(1, request("", ""));
    registry.onV3StreamResponse(1, request("", ""), response("v1", "0"));
    registry.onV3StreamRequest(1, request("v1", "0"));
    registry.onV3StreamResponse(1, request("v1", "0"), response("v2", "1"));
    registry.onV3StreamRequest(
        1,
        request("v1", "1").toBuilder()
            .setErrorDetail(Status.newBuilder().setMessage("Invalid path: /nope.pem"))
            .build());

    XdsNodeStatus node = registry.nodes().get(0);
    assertThat(node.lastNack().version()).isEqualTo("v2");
    assertThat(node.lastNack().message()).isEqualTo("Invalid path: /nope.pem");
    assertThat(node.types().get(0).ackedVersion()).isEqualTo("v1");
    assertThat(node.types().get(0).lastNack()).isEqualTo(node.lastNack());
    assertThat(meters.counter("tollgate.xds.nacks", "type_url", CDS).count()).isEqualTo(1);
  }

  @Test
  void aReconnectingNodeReportsTheVersionItRuns() throws Exception {
    registry.onStreamOpen(7, "");
    registry.onV3StreamRequest(7, request("v9", "41"));

    assertThat(registry.nodes().get(0).types().get(0).ackedVersion()).isEqualTo("v9");
  }

  @Test
  void aRequestAnsweringAnOlderResponseIsNotAnAck() throws Exception {
    registry.onStreamOpen(1, "");
    registry.onV3StreamRequest(1, request("", ""));
    registry.onV3StreamResponse(1, request("", ""), response("v1", "0"));
    registry.onV3StreamResponse(1, request("", ""), response("v2", "1"));
    registry.onV3StreamRequest(1, request("v1", "0"));

    assertThat(registry.nodes().get(0).types().get(0).ackedVersion()).isNull();
  }

  @Test
  void aDisconnectedNodeIsShownThenForgottenAfterTheRetention() throws Exception {
    registry.onStreamOpen(1, "");
    registry.onV3StreamRequest(1, request("", ""));
    assertThat(meters.get("tollgate.xds.nodes.connected").gauge().value()).isEqualTo(1);

    registry.onStreamCloseWithError(1, "", new RuntimeException("gone"));
    assertThat(registry.nodes().get(0).state()).isEqualTo(State.DISCONNECTED);
    assertThat(registry.nodes().get(0).disconnectedAt()).isEqualTo(clock.instant());
    assertThat(meters.get("tollgate.xds.nodes.connected").gauge().value()).isZero();

    clock.advance(XdsNodeRegistry.RETENTION.minusSeconds(1));
    registry.forgetLongDisconnected();
    assertThat(registry.nodes()).hasSize(1);

    clock.advance(Duration.ofSeconds(2));
    registry.forgetLongDisconnected();
    assertThat(registry.nodes()).isEmpty();
  }

  @Test
  void aNodeWithTwoStreamsStaysConnectedUntilBothClose() throws Exception {
    registry.onStreamOpen(1, "");
    registry.onV3StreamRequest(1, request("", ""));
    registry.onStreamOpen(2, "");
    registry.onV3StreamRequest(2, request("", ""));

    registry.onStreamClose(1, "");
    assertThat(registry.nodes().get(0).state()).isEqualTo(State.CONNECTED);
    assertThat(registry.nodes().get(0).streams()).isEqualTo(1);

    registry.onStreamClose(2, "");
    assertThat(registry.nodes().get(0).state()).isEqualTo(State.DISCONNECTED);
  }

  @Test
  void aStreamsNodeIdIsFixedByItsFirstRequest() throws Exception {
    registry.onStreamOpen(1, "");
    registry.onV3StreamRequest(1, request("", ""));
    registry.onV3StreamRequest(1, request("", "").toBuilder().clearNode().build());

    assertThatThrownBy(
            () ->
                registry.onV3StreamRequest(
                    1,
                    request("", "").toBuilder()
                        .setNode(Node.newBuilder().setId("envoy-2"))
                        .build()))
        .isInstanceOfSatisfying(
            RequestException.class,
            e ->
                assertThat(e.getStatus().getCode())
                    .isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT));
    assertThat(registry.nodes()).extracting(XdsNodeStatus::id).containsExactly("envoy-1");
  }

  @Test
  void aSecondStreamClaimingAConnectedNodeIdIsShownApartAndGoesAwayWithItsStream()
      throws Exception {
    registry.onStreamOpen(1, "");
    registry.onV3StreamRequest(1, request("", ""));
    registry.onV3StreamResponse(1, request("", ""), response("v1", "0"));
    registry.onV3StreamRequest(1, request("v1", "0"));
    registry.onStreamOpen(2, "");
    registry.onV3StreamRequest(2, request("", ""));
    registry.onV3StreamResponse(2, request("", ""), response("v1", "0"));
    registry.onV3StreamRequest(
        2,
        request("", "0").toBuilder()
            .setErrorDetail(Status.newBuilder().setMessage("forged"))
            .build());

    assertThat(registry.nodes())
        .satisfiesExactly(
            first -> {
              assertThat(first.stream()).isEqualTo(1);
              assertThat(first.duplicate()).isFalse();
              assertThat(first.lastNack()).isNull();
              assertThat(first.types().get(0).ackedVersion()).isEqualTo("v1");
            },
            second -> {
              assertThat(second.stream()).isEqualTo(2);
              assertThat(second.duplicate()).isTrue();
              assertThat(second.lastNack().message()).isEqualTo("forged");
            });
    assertThat(meters.get("tollgate.xds.nodes.connected").gauge().value()).isEqualTo(1);

    registry.onStreamClose(2, "");
    assertThat(registry.nodes())
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.stream()).isEqualTo(1);
              assertThat(n.lastNack()).isNull();
            });
  }

  @Test
  void nacksOfUnknownTypesShareOneCounter() throws Exception {
    registry.onStreamOpen(1, "");
    registry.onV3StreamRequest(
        1,
        request("", "").toBuilder()
            .setTypeUrl("type.googleapis.com/made.up.Type")
            .setErrorDetail(Status.newBuilder().setMessage("x"))
            .build());

    assertThat(meters.counter("tollgate.xds.nacks", "type_url", "other").count()).isEqualTo(1);
  }

  private static DiscoveryRequest request(String version, String nonce) {
    return DiscoveryRequest.newBuilder()
        .setNode(NODE)
        .setTypeUrl(CDS)
        .setVersionInfo(version)
        .setResponseNonce(nonce)
        .build();
  }

  private static DiscoveryResponse response(String version, String nonce) {
    return DiscoveryResponse.newBuilder()
        .setTypeUrl(CDS)
        .setVersionInfo(version)
        .setNonce(nonce)
        .build();
  }

  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
