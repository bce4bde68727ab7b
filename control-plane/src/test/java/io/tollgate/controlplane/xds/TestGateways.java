package io.tollgate.controlplane.xds;

import io.tollgate.controlplane.configfile.GatewayConfig;
import io.tollgate.controlplane.configfile.GatewayConfigParser;

/** Gateway models for xDS tests, parsed from YAML as the real file would be. */
final class TestGateways {

  private TestGateways() {}

  /** One upstream named {@code upstream} and one catch-all route to it. */
  static GatewayConfig oneUpstream(String upstream) throws Exception {
    return new GatewayConfigParser()
        .parse(
            "t.yaml",
            """
            upstreams:
              - { name: %s, url: "http://127.0.0.1:9" }
            routes:
              - { name: default, match: { pathPrefix: / }, upstream: %s }
            """
                .formatted(upstream, upstream));
  }
}
