package io.tollgate.controlplane.limits.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.controlplane.limits.Cidr;
import io.tollgate.controlplane.limits.CountedBy;
import io.tollgate.controlplane.limits.InvalidRuleException;
import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.LimitRuleJson;
import io.tollgate.controlplane.limits.Match;
import io.tollgate.controlplane.limits.Mode;
import io.tollgate.controlplane.limits.RuleViolation;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One bad-input fixture per validation rule ({@code limits/invalid/*.json}: the expected field, a
 * fragment of the expected message, and the rule as a client would send it).
 */
class LimitRuleValidationTest {

  private final LimitRuleJson json = new LimitRuleJson();
  private final JsonMapper fixtures = JsonMapper.builder().build();

  static Stream<Path> fixtures() throws IOException, URISyntaxException {
    URL dir = LimitRuleValidationTest.class.getResource("/limits/invalid");
    try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void rejectsWithTheFieldNamed(Path fixture) throws IOException {
    JsonNode spec = fixtures.readTree(Files.readString(fixture));
    byte[] body = fixtures.writeValueAsBytes(spec.get("rule"));

    List<RuleViolation> violations = violationsOf(body);

    assertThat(violations)
        .as("violations of %s", fixture.getFileName())
        .anySatisfy(
            v -> {
              assertThat(v.field()).isEqualTo(spec.get("field").asString());
              assertThat(v.message()).contains(spec.get("message").asString());
            });
  }

  @Test
  void atLeastOneFixtureForEachKindOfProblem() throws Exception {
    assertThat(fixtures().count()).isGreaterThanOrEqualTo(30);
  }

  @Test
  void acceptsTheArchitectureExampleAndFillsDefaults() {
    LimitRule rule =
        json.parse(
            """
            { "name": "categories-per-ip",
              "match": { "pathPrefix": "/categories/", "methods": ["GET"],
                         "headers": {"x-api-key": "*"}, "sourceCidrs": ["10.0.0.0/8", "2001:db8::/32"] },
              "by": ["ip", "path", "header:x-api-key"],
              "limit": { "requests": 100, "per": "minute" } }
            """
                .getBytes(StandardCharsets.UTF_8));

    assertThat(LimitRuleValidator.validate(rule)).isEmpty();
    assertThat(rule.mode()).isEqualTo(Mode.ENFORCE);
    assertThat(rule.enabled()).isTrue();
    assertThat(rule.dimensions())
        .containsExactly(
            new CountedBy.Ip(), new CountedBy.Path(), new CountedBy.Header("x-api-key", true));
  }

  @Test
  void noPathMatcherMeansEveryPathAndZeroBlocks() {
    LimitRule rule =
        json.parse(
            "{\"name\":\"all\",\"limit\":{\"requests\":0,\"per\":\"second\"},\"mode\":\"shadow\"}"
                .getBytes(StandardCharsets.UTF_8));
    assertThat(LimitRuleValidator.validate(rule)).isEmpty();
    assertThat(rule.match()).isEqualTo(Match.ALL);
  }

  @Test
  void readOnlyFieldsOfAGetAreIgnoredSoItCanBePutBack() {
    LimitRule rule =
        json.parse(
            "{\"name\":\"a\",\"limit\":{\"requests\":1,\"per\":\"day\"},\"source\":\"rest\",\"version\":3}"
                .getBytes(StandardCharsets.UTF_8));
    assertThat(json.read(json.write(rule))).isEqualTo(rule);
  }

  @Test
  void malformedJsonNamesNoFieldButSaysWhy() {
    assertThatThrownBy(() -> json.parse("{\"name\": ".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("malformed JSON");
    assertThatThrownBy(
            () -> json.parse("{\"name\":\"a\",\"name\":\"b\"}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("malformed JSON")
        .hasMessageContaining("name");
  }

  @Test
  void cidrsAreSpelledAsEnvoyMasksAddresses() {
    assertThat(Cidr.parse("2001:0db8:0000::/32")).hasToString("2001:db8::/32");
    assertThat(Cidr.parse("::/0")).hasToString("::/0");
    assertThat(Cidr.parse("2001:db8:0:1:0:0:0:0/64")).hasToString("2001:db8:0:1::/64");
    assertThat(Cidr.parse("127.0.0.2/32")).hasToString("127.0.0.2/32");
  }

  private List<RuleViolation> violationsOf(byte[] body) {
    try {
      return LimitRuleValidator.validate(json.parse(body));
    } catch (InvalidRuleException e) {
      return e.violations();
    }
  }
}
