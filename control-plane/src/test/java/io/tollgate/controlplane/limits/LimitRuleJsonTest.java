package io.tollgate.controlplane.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The strict binding of a rule's JSON: each lenient reading of the past is a 400 naming a field.
 */
class LimitRuleJsonTest {

  private static final String LIMIT = "\"limit\":{\"requests\":5,\"per\":\"minute\"}";
  private final LimitRuleJson json = new LimitRuleJson();

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          null matcher widens nothing   | "match":{"pathPrefix":null},LIMIT          | match.pathPrefix
          null match                    | "match":null,LIMIT                         | match
          null by                       | "by":null,LIMIT                            | by
          null by entry                 | "by":["ip",null],LIMIT                     | by[1]
          null method                   | "match":{"methods":[null]},LIMIT           | match.methods[0]
          null header value             | "match":{"headers":{"x-a":null}},LIMIT     | match.headers.x-a
          null limit                    | "limit":null                               | limit
          null requests                 | "limit":{"requests":null,"per":"second"}   | limit.requests
          null enabled                  | "enabled":null,LIMIT                       | enabled
          null mode                     | "mode":null,LIMIT                          | mode
          null accuracy                 | "accuracy":null,LIMIT                      | accuracy
          unit as its index             | "limit":{"requests":5,"per":1}             | limit.per
          unit in upper case            | "limit":{"requests":5,"per":"MINUTE"}      | limit.per
          mode in another case          | "mode":"Shadow",LIMIT                      | mode
          accuracy in upper case        | "accuracy":"APPROXIMATE",LIMIT             | accuracy
          minus zero                    | "limit":{"requests":-0,"per":"second"}     | limit.requests
          count as a string             | "limit":{"requests":"5","per":"second"}    | limit.requests
          count as a fraction           | "limit":{"requests":5.0,"per":"second"}    | limit.requests
          enabled as a number           | "enabled":1,LIMIT                          | enabled
          enabled as a string           | "enabled":"true",LIMIT                     | enabled
          path as a number              | "match":{"path":5},LIMIT                   | match.path
          match as a string             | "match":"",LIMIT                           | match
          by as a string                | "by":"ip",LIMIT                            | by
          unknown nested field          | "match":{"pathprefix":"/a"},LIMIT          | match.pathprefix
          unknown top field             | "owner":"me",LIMIT                         | owner
          """)
  void leniencyIsAnErrorNamingTheField(String what, String fields, String field) {
    String body = "{\"name\":\"r\"," + fields.replace("LIMIT", LIMIT) + "}";
    assertThatThrownBy(() -> json.parse(body.getBytes(StandardCharsets.UTF_8)))
        .as(what)
        .isInstanceOfSatisfying(
            InvalidRuleException.class,
            e ->
                assertThat(e.violations())
                    .first()
                    .extracting(RuleViolation::field)
                    .isEqualTo(field));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"null", "[]", "\"rule\"", "''", "{} {}"})
  void aBodyThatIsNotOneObjectIsRefusedAsAWhole(String body) {
    assertThatThrownBy(() -> json.parse(body.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            InvalidRuleException.class,
            e -> assertThat(e.violations()).first().extracting(RuleViolation::field).isEqualTo(""));
  }

  @Test
  void absentFieldsTakeTheirDefaultsAndAccuracyRoundTrips() {
    LimitRule plain =
        json.parse(("{\"name\":\"r\"," + LIMIT + "}").getBytes(StandardCharsets.UTF_8));
    assertThat(plain.match()).isEqualTo(Match.ALL);
    assertThat(plain.by()).isEmpty();
    assertThat(plain.enabled()).isTrue();
    assertThat(plain.mode()).isEqualTo(Mode.ENFORCE);
    assertThat(plain.accuracy()).isEqualTo(Accuracy.EXACT);

    LimitRule approximate =
        json.parse(
            ("{\"name\":\"r\",\"accuracy\":\"approximate\"," + LIMIT + "}")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(approximate.accuracy()).isEqualTo(Accuracy.APPROXIMATE);
    assertThat(json.read(json.write(approximate))).isEqualTo(approximate);
    assertThat(json.write(approximate)).contains("\"accuracy\":\"approximate\"");
  }

  @Test
  void aBurstAndAnAlgorithmRoundTripAndNoBurstIsWrittenAsNone() {
    LimitRule plain =
        json.parse(("{\"name\":\"r\"," + LIMIT + "}").getBytes(StandardCharsets.UTF_8));
    assertThat(plain.algorithm()).isEqualTo(Algorithm.FIXED_WINDOW);
    assertThat(plain.bursts()).isFalse();
    // Never "burst": null, which a PUT of what a GET returned would be refused for.
    assertThat(json.write(plain))
        .doesNotContain("burst")
        .contains("\"algorithm\":\"fixed_window\"");
    assertThat(json.parse(json.write(plain).getBytes(StandardCharsets.UTF_8))).isEqualTo(plain);

    LimitRule bucket =
        json.parse(
            "{\"name\":\"r\",\"limit\":{\"requests\":5,\"per\":\"second\",\"burst\":3}}"
                .getBytes(StandardCharsets.UTF_8));
    assertThat(bucket.limit()).isEqualTo(new Limit(5L, Per.SECOND, 3L));
    assertThat(json.read(json.write(bucket))).isEqualTo(bucket);
    LimitRule sliding =
        json.parse(
            ("{\"name\":\"r\",\"algorithm\":\"sliding_window\"," + LIMIT + "}")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(sliding.algorithm()).isEqualTo(Algorithm.SLIDING_WINDOW);
    assertThat(json.read(json.write(sliding))).isEqualTo(sliding);
  }

  @Test
  void whatAGetReturnsCanBePutBack() {
    String view =
        "{\"name\":\"r\","
            + LIMIT
            + ",\"source\":\"rest\",\"version\":3,\"status\":{\"accepted\":true}}";
    assertThat(json.parse(view.getBytes(StandardCharsets.UTF_8)).name()).isEqualTo("r");
  }

  @Test
  void aFileRuleIsReadAsStrictly() {
    Map<String, Object> match = new LinkedHashMap<>();
    match.put("pathPrefix", null);
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("name", "r");
    rule.put("match", match);
    rule.put("limit", Map.of("requests", 5, "per", "minute"));
    assertThatThrownBy(() -> json.fromValue(rule))
        .isInstanceOfSatisfying(
            InvalidRuleException.class,
            e ->
                assertThat(e.violations())
                    .first()
                    .extracting(RuleViolation::field)
                    .isEqualTo("match.pathPrefix"));
    assertThatThrownBy(() -> json.fromValue(List.of())).isInstanceOf(InvalidRuleException.class);
  }
}
