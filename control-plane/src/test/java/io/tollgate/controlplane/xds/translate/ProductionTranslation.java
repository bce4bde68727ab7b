package io.tollgate.controlplane.xds.translate;

import io.tollgate.controlplane.ControlPlaneSettings;
import io.tollgate.controlplane.access.AccessRule;
import io.tollgate.controlplane.access.validation.AccessRuleValidator;
import io.tollgate.controlplane.accesslog.AccessLogTranslatorExtension;
import io.tollgate.controlplane.configfile.GatewayConfig;
import io.tollgate.controlplane.configfile.GatewayConfigParser;
import io.tollgate.controlplane.limits.LimitRuleJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

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

  /** Access entries (REST) of the case: {@code golden-production/<case>.access.json}. */
  static final Path ACCESS = Path.of("src/test/resources/golden-production/acceptance.access.json");

  /**
   * The production set, in order: the access lists, rate limits, the cache, then the access log
   * (on, every answer: its default).
   */
  static List<TranslatorExtension> extensions() {
    return extensions(1);
  }

  /** The production set with the access log sampling one in {@code sampleOneIn}. */
  static List<TranslatorExtension> extensions(int sampleOneIn) {
    return List.of(
        new AccessExtension(),
        new RateLimitExtension(),
        new CacheExtension(),
        new AccessLogTranslatorExtension(new ControlPlaneSettings.AccessLog(true, sampleOneIn)));
  }

  static EnvoyResources translate() throws Exception {
    return translate(1);
  }

  static EnvoyResources translate(int sampleOneIn) throws Exception {
    GatewayConfig gateway =
        new GatewayConfigParser().parse(GATEWAY.toString(), Files.readString(GATEWAY));
    return new Translator(extensions(sampleOneIn))
        .translate(
            RateLimitGolden.input(RULES_CASE).withGateway(gateway).withAccess(accessEntries()));
  }

  static List<AccessRule> accessEntries() throws Exception {
    LimitRuleJson json = new LimitRuleJson();
    JsonMapper mapper = JsonMapper.builder().build();
    List<AccessRule> entries = new ArrayList<>();
    for (JsonNode node : mapper.readTree(Files.readString(ACCESS))) {
      AccessRule entry =
          json.parse(mapper.writeValueAsBytes(node), AccessRule.class, "an access entry");
      AccessRuleValidator.requireValid(entry);
      entries.add(entry);
    }
    return entries;
  }
}
