package io.tollgate.controlplane.access.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.controlplane.access.AccessRule;
import io.tollgate.controlplane.limits.InvalidRuleException;
import io.tollgate.controlplane.limits.LimitRuleJson;
import io.tollgate.controlplane.limits.RuleViolation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One bad-input fixture per rule of {@link AccessRuleValidator}, each naming its field. */
class AccessRuleValidationTest {

  private static final LimitRuleJson JSON = new LimitRuleJson();

  static Stream<Arguments> badEntries() {
    return Stream.of(
        Arguments.of("{\"action\":\"deny\",\"match\":{\"methods\":[\"GET\"]}}", "name"),
        Arguments.of(
            "{\"name\":\"Bad_Name\",\"action\":\"deny\",\"match\":{\"methods\":[\"GET\"]}}",
            "name"),
        Arguments.of(
            "{\"name\":\"none\",\"action\":\"deny\",\"match\":{\"methods\":[\"GET\"]}}", "name"),
        Arguments.of("{\"name\":\"a\",\"match\":{\"methods\":[\"GET\"]}}", "action"),
        Arguments.of("{\"name\":\"a\",\"action\":\"deny\"}", "match"),
        Arguments.of("{\"name\":\"a\",\"action\":\"deny\",\"match\":{}}", "match"),
        Arguments.of(
            "{\"name\":\"a\",\"action\":\"deny\",\"match\":{\"cidrs\":[\"10.0.0.1/8\"]}}",
            "match.cidrs[0]"),
        Arguments.of(
            "{\"name\":\"a\",\"action\":\"deny\",\"match\":{\"cidrs\":[\"example.com/8\"]}}",
            "match.cidrs[0]"),
        Arguments.of(
            "{\"name\":\"a\",\"action\":\"deny\",\"match\":{\"paths\":[{}]}}", "match.paths[0]"),
        Arguments.of(
            "{\"name\":\"a\",\"action\":\"deny\",\"match\":{\"paths\":[{\"exact\":\"/a\",\"prefix\":\"/b\"}]}}",
            "match.paths[0]"),
        Arguments.of(
            "{\"name\":\"a\",\"action\":\"deny\",\"match\":{\"paths\":[{\"prefix\":\"admin\"}]}}",
            "match.paths[0].prefix"),
        Arguments.of(
            "{\"name\":\"a\",\"action\":\"deny\",\"match\":{\"paths\":[{\"exact\":\"/a?b=1\"}]}}",
            "match.paths[0].exact"),
        Arguments.of(
            "{\"name\":\"a\",\"action\":\"deny\",\"match\":{\"methods\":[\"get\"]}}",
            "match.methods[0]"),
        Arguments.of(
            "{\"name\":\"a\",\"action\":\"deny\",\"match\":{\"headers\":[{\"exact\":\"x\"}]}}",
            "match.headers[0].name"),
        Arguments.of(
            "{\"name\":\"a\",\"action\":\"deny\",\"match\":{\"headers\":[{\"name\":\":path\",\"exact\":\"x\"}]}}",
            "match.headers[0].name"),
        Arguments.of(
            "{\"name\":\"a\",\"action\":\"deny\",\"match\":{\"headers\":[{\"name\":\"x-a\"}]}}",
            "match.headers[0]"),
        Arguments.of(
            "{\"name\":\"a\",\"action\":\"deny\",\"match\":{\"headers\":[{\"name\":\"x-a\",\"present\":false}]}}",
            "match.headers[0].present"),
        Arguments.of(
            "{\"name\":\"a\",\"action\":\"deny\",\"match\":{\"headers\":[{\"name\":\"x-a\",\"exact\":\"\\u0001\"}]}}",
            "match.headers[0].exact"),
        Arguments.of(
            "{\"name\":\"a\",\"action\":\"deny\",\"match\":{\"methods\":["
                + "\"GET\",".repeat(64)
                + "\"GET\"]}}",
            "match.methods"));
  }

  @ParameterizedTest
  @MethodSource("badEntries")
  void eachProblemNamesItsField(String body, String field) {
    AccessRule rule = JSON.parse(body.getBytes(StandardCharsets.UTF_8), AccessRule.class, "x");
    List<RuleViolation> violations = AccessRuleValidator.validate(rule, "");
    assertThat(violations).extracting(RuleViolation::field).contains(field);
  }

  @Test
  void theStrictReaderNamesUnknownFieldsAndActions() {
    assertThatThrownBy(
            () ->
                JSON.parse(
                    "{\"name\":\"a\",\"action\":\"block\"}".getBytes(StandardCharsets.UTF_8),
                    AccessRule.class,
                    "an access entry"))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("action")
        .hasMessageContaining("deny, allow");
  }

  @Test
  void aCompleteEntryIsValid() {
    AccessRule rule =
        JSON.parse(
            ("{\"name\":\"office\",\"action\":\"allow\",\"match\":{\"cidrs\":[\"10.0.0.0/8\","
                    + "\"2001:db8::/32\"],\"paths\":[{\"prefix\":\"/\"}],\"methods\":[\"GET\"],"
                    + "\"headers\":[{\"name\":\"x-a\",\"present\":true}]}}")
                .getBytes(StandardCharsets.UTF_8),
            AccessRule.class,
            "an access entry");
    assertThat(AccessRuleValidator.validate(rule, "")).isEmpty();
    assertThat(rule.enabled()).isTrue();
  }
}
