package io.tollgate.controlplane.xds.translate;

import io.tollgate.controlplane.accesslog.AccessLogTranslatorExtension;
import io.tollgate.controlplane.configfile.GatewayConfig;
import io.tollgate.controlplane.configfile.GatewayConfigParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The translator as production runs it: exactly the extensions {@code XdsConfiguration} wires, in
 * its order (checked by {@link ProductionExtensionsTest}), on the rate-limit golden's acceptance
 * rules over the mock gateway with a cached route. Its golden file and Envoy's validation pin what
 * every Envoy gets.
 */
final class ProductionTranslation {

  static final String RULES_CASE = "acceptance";

  private ProductionTranslation() {}

  /** The mock gateway with a cached route: {@code golden-production/gateway.yaml}. */
  static final Path GATEWAY = Path.of("src/test/resources/golden-production/gateway.yaml");

  /**
   * The production set, in order: rate limits, the cache, then the access log (on, its default).
   */
  static List<TranslatorExtension> extensions() {
    return List.of(
        new RateLimitExtension(), new CacheExtension(), new AccessLogTranslatorExtension(true));
  }

  static EnvoyResources translate() throws Exception {
    GatewayConfig gateway =
        new GatewayConfigParser().parse(GATEWAY.toString(), Files.readString(GATEWAY));
    return new Translator(extensions())
        .translate(RateLimitGolden.input(RULES_CASE).withGateway(gateway));
  }
}
