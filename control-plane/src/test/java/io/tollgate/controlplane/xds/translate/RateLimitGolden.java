package io.tollgate.controlplane.xds.translate;

import io.tollgate.controlplane.configfile.GatewayConfig;
import io.tollgate.controlplane.configfile.GatewayConfigParser;
import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.LimitRuleJson;
import io.tollgate.controlplane.limits.validation.LimitRuleValidator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The inputs of the rate-limit golden files: {@code golden-limits/<case>.rules.json}. */
final class RateLimitGolden {

  static final Path DIR = Path.of("src/test/resources/golden-limits");
  static final String RULES = ".rules.json";
  static final String GATEWAY = ".gateway.yaml";

  /** Two replicas: the cluster lists both and leaves a dead one. */
  static final LimitsInput.RateLimitService SERVICE =
      new LimitsInput.RateLimitService(
          List.of(
              InetSocketAddress.createUnresolved("127.0.0.1", 8090),
              InetSocketAddress.createUnresolved("127.0.0.2", 8090)),
          Duration.ofMillis(250),
          false,
          null);

  /** The case whose service is called over mutual TLS. */
  static final String MUTUAL_TLS_CASE = "mutual-tls";

  /** Mutual TLS, verifying a DNS name that is not the (IP) address: SNI and a DNS SAN. */
  static final LimitsInput.RateLimitService MUTUAL_TLS_SERVICE =
      new LimitsInput.RateLimitService(
          SERVICE.endpoints(),
          SERVICE.timeout(),
          false,
          new LimitsInput.RateLimitService.Tls(
              "/etc/tollgate/ratelimit-tls/envoy.pem",
              "/etc/tollgate/ratelimit-tls/envoy-key.pem",
              "/etc/tollgate/ratelimit-tls/ca.pem",
              "ratelimit"));

  private RateLimitGolden() {}

  static List<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(RULES))
          .map(n -> n.substring(0, n.length() - RULES.length()))
          .sorted()
          .toList();
    }
  }

  static List<LimitRule> rules(String name) throws IOException {
    LimitRuleJson json = new LimitRuleJson();
    JsonMapper mapper = JsonMapper.builder().build();
    List<LimitRule> rules = new ArrayList<>();
    for (JsonNode node : mapper.readTree(Files.readString(DIR.resolve(name + RULES)))) {
      rules.add(LimitRuleValidator.requireValid(json.parse(mapper.writeValueAsBytes(node))));
    }
    return rules;
  }

  /**
   * The rules on {@code <case>.gateway.yaml} when the case has one, else on the mock gateway of the
   * translator's own golden files.
   */
  static TranslatorInput input(String name) throws Exception {
    Path gatewayFile = DIR.resolve(name + GATEWAY);
    if (!Files.exists(gatewayFile)) {
      gatewayFile = Path.of("src/test/resources/golden/http-mock.in.yaml");
    }
    GatewayConfig gateway =
        new GatewayConfigParser()
            .parse(gatewayFile.getFileName().toString(), Files.readString(gatewayFile));
    return TranslatorInput.of(gateway).withLimits(new LimitsInput(7, rules(name), service(name)));
  }

  static LimitsInput.RateLimitService service(String name) {
    return name.equals(MUTUAL_TLS_CASE) ? MUTUAL_TLS_SERVICE : SERVICE;
  }

  static EnvoyResources translate(String name) throws Exception {
    return new Translator(List.of(new RateLimitExtension())).translate(input(name));
  }
}
