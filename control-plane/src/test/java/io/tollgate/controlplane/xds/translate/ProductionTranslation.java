package io.tollgate.controlplane.xds.translate;

import io.tollgate.controlplane.accesslog.AccessLogTranslatorExtension;
import java.util.List;

/**
 * The translator as production runs it: exactly the extensions {@code XdsConfiguration} wires, in
 * its order (checked by {@link ProductionExtensionsTest}), on the rate-limit golden's acceptance
 * rules over the mock gateway. Its golden file and Envoy's validation pin what every Envoy gets.
 */
final class ProductionTranslation {

  static final String RULES_CASE = "acceptance";

  private ProductionTranslation() {}

  /** The production set, in order: rate limits, then the access log (on, its default). */
  static List<TranslatorExtension> extensions() {
    return List.of(new RateLimitExtension(), new AccessLogTranslatorExtension(true));
  }

  static EnvoyResources translate() throws Exception {
    return new Translator(extensions()).translate(RateLimitGolden.input(RULES_CASE));
  }
}
