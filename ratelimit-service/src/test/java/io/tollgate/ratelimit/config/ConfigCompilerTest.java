package io.tollgate.ratelimit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.referenceconfig.ConfigException;
import io.tollgate.referenceconfig.ReferenceYamlReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cases beyond the reference's files: types, Tollgate's {@code algorithm}, free-form metadata. */
class ConfigCompilerTest {

  private final ReferenceYamlReader reader = new ReferenceYamlReader();

  private CompiledConfig compile(String yaml) {
    return new ConfigCompiler(false).compile(List.of(reader.read("f.yaml", yaml)));
  }

  private void rejects(String yaml, String message) {
    assertThatThrownBy(() -> compile(yaml)).isInstanceOf(ConfigException.class).hasMessage(message);
  }

  @Test
  void typeErrorsNameTheFileTheKeyAndTheLine() {
    rejects(
        """
        domain: d
        descriptors:
          - key: k
            rate_limit:
              unit: second
              requests_per_unit: lots
        """,
        "f.yaml: error loading config file: line 6: cannot unmarshal !!str `lots` into uint32"
            + " (key 'requests_per_unit')");
    rejects(
        """
        domain: d
        descriptors:
          - key: k
            rate_limit: {unit: second, requests_per_unit: -1}
        """,
        "f.yaml: error loading config file: line 4: cannot unmarshal !!int `-1` into uint32"
            + " (key 'requests_per_unit')");
    rejects(
        """
        domain: d
        descriptors:
          - key: k
            shadow_mode: "yes please"
        """,
        "f.yaml: error loading config file: line 4: cannot unmarshal !!str `yes please` into bool"
            + " (key 'shadow_mode')");
    rejects(
        "domain: d\ndescriptors:\n  key: k\n",
        "f.yaml: error loading config file: line 3:"
            + " cannot unmarshal !!map into a list of descriptors (key 'descriptors')");
  }

  @Test
  void floatsAndUnknownNestedKeysAreRejectedAsTheReferenceRejectsThem() {
    rejects(
        "domain: d\ndescriptors:\n  - key: k\n    rate_limit: {unit: second, requests_per_unit: 1.5}\n",
        "f.yaml: error checking config (line 4: !!float `1.5` is not a string, integer or boolean;"
            + " quote it to make it a string)");
    rejects(
        "domain: d\ndescriptors:\n  - key: k\n    rate_limit: {unit: second, per: 1}\n",
        "f.yaml: config error, unknown key 'per'");
    rejects(
        "- a\n- b\n",
        "f.yaml: error loading config file: line 1: cannot unmarshal !!seq into a mapping");
  }

  @Test
  void algorithmIsFixedByDefaultAndMustBeKnown() {
    CompiledConfig c =
        compile(
            """
            domain: d
            descriptors:
              - key: a
                rate_limit: {unit: second, requests_per_unit: 1}
              - key: b
                algorithm: sliding_window
                rate_limit: {unit: second, requests_per_unit: 1}
            """);
    assertThat(c.domain("d").children().get("a").policy().algorithm())
        .isEqualTo(Algorithm.FIXED_WINDOW);
    assertThat(c.domain("d").children().get("b").policy().algorithm())
        .isEqualTo(Algorithm.SLIDING_WINDOW);
    rejects(
        "domain: d\ndescriptors:\n  - key: a\n    algorithm: token_bucket\n"
            + "    rate_limit: {unit: second, requests_per_unit: 1}\n",
        "f.yaml: invalid algorithm 'token_bucket' for 'd.a' (expected fixed_window or"
            + " sliding_window)");
    rejects(
        "domain: d\ndescriptors:\n  - key: a\n    algorithm: sliding_window\n",
        "f.yaml: descriptor 'd.a' sets algorithm without a rate_limit");
  }

  @Test
  void shareThresholdNeedsAWildcard() {
    rejects(
        "domain: d\ndescriptors:\n  - key: a\n    value: b\n    share_threshold: true\n",
        "f.yaml: share_threshold can only be used with wildcard values (containing '*'), but found"
            + " key 'a_b'");
  }

  @Test
  void metadataIsFreeFormAndUnitsGoUpToAYear() {
    CompiledConfig c =
        compile(
            """
            domain: d
            descriptors:
              - key: a
                metadata: {anything: {goes: [1, two, true]}}
                rate_limit: {unit: YEAR, requests_per_unit: 4294967295}
            """);
    RateLimitPolicy p = c.domain("d").children().get("a").policy();
    assertThat(p.unit()).isEqualTo(Unit.YEAR);
    assertThat(p.requestsPerUnit()).isEqualTo(4_294_967_295L);
    assertThat(
            p.metadata()
                .getFieldsOrThrow("anything")
                .getStructValue()
                .getFieldsOrThrow("goes")
                .getListValue()
                .getValuesCount())
        .isEqualTo(3);
    assertThat(c.dump())
        .isEqualTo(
            "d.a: unit=YEAR requests_per_unit=4294967295, shadow_mode: false, quota_mode: false\n");
  }

  @Test
  void anEmptyFileHasAnEmptyDomain() {
    rejects("", "f.yaml: config file cannot have empty domain");
    rejects("# only a comment\n", "f.yaml: config file cannot have empty domain");
  }
}
