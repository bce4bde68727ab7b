package io.tollgate.controlplane.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.controlplane.configfile.GatewayConfig;
import io.tollgate.controlplane.configfile.ListenerSpec;
import io.tollgate.controlplane.configfile.PathMatch;
import io.tollgate.controlplane.configfile.RouteSpec;
import io.tollgate.controlplane.configfile.UpstreamSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoutingMergeTest {

  private static final GatewayConfig FILE =
      new GatewayConfig(
          new ListenerSpec("127.0.0.1", 8080, 0),
          List.of(upstream("mock", 1)),
          List.of(route("orders", "mock")));

  @Test
  void theFileWinsForItsNamesAndRestRoutesFollowInNameOrder() {
    GatewayConfig merged =
        RoutingMerge.merge(
            FILE,
            List.of(upstream("second", 2), upstream("mock", 3)),
            List.of(route("zeta", "second"), route("orders", "second"), route("alpha", "mock")));

    assertThat(merged.upstreams()).extracting(UpstreamSpec::name).containsExactly("mock", "second");
    // The file's mock (port 1), not the REST entry of the same name (port 3).
    assertThat(merged.upstreams().get(0).endpoints().get(0).port()).isEqualTo(1);
    assertThat(merged.routes())
        .extracting(RouteSpec::name)
        .containsExactly("orders", "alpha", "zeta");
    assertThat(merged.routes().get(0).upstream()).isEqualTo("mock");
  }

  @Test
  void aRestRouteWhoseUpstreamIsGoneIsLeftOut() {
    GatewayConfig merged = RoutingMerge.merge(FILE, List.of(), List.of(route("lost", "removed")));

    assertThat(merged.routes()).extracting(RouteSpec::name).containsExactly("orders");
  }

  private static UpstreamSpec upstream(String name, int port) {
    return new UpstreamSpec(
        name,
        false,
        "127.0.0.1",
        port,
        Optional.empty(),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5));
  }

  private static RouteSpec route(String name, String upstream) {
    return new RouteSpec(name, new PathMatch.Prefix("/" + name), upstream);
  }
}
