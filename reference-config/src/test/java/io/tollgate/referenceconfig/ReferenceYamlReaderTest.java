package io.tollgate.referenceconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The YAML 1.1 readings of the reference (envoyproxy/ratelimit on go-yaml v2): each form is read to
 * the reference's value or refused loudly, never to a different (looser) limit.
 */
class ReferenceYamlReaderTest {

  private final ReferenceYamlReader reader = new ReferenceYamlReader();

  private RateLimitSpec limit(String requestsPerUnit) {
    return reader
        .read(
            "f.yaml",
            "domain: d\ndescriptors:\n  - key: k\n    rate_limit: {unit: second, requests_per_unit: "
                + requestsPerUnit
                + "}\n")
        .descriptors()
        .get(0)
        .rateLimit();
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "10, 10",
    "017, 15", // octal in YAML 1.1 and Go; SnakeYAML's text would read 17
    "0o17, 15",
    "0x10, 16",
    "0X1f, 31",
    "0b101, 5",
    "1_000, 1000",
    "+5, 5",
    "4294967295, 4294967295",
    "'', 0"
  })
  void integerFormsReadAsTheReferenceReadsThem(String written, long value) {
    assertThat(limit(written.isEmpty() ? "~" : written).requestsPerUnit()).isEqualTo(value);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "08        | error checking config", // not octal: yaml.v2 makes it a float
        "1e3       | error checking config",
        "1.5       | error checking config",
        "9223372036854775808 | error checking config", // a uint64 in yaml.v2
        "2024-01-01 | error checking config", // a timestamp
        "-1        | cannot unmarshal !!int `-1` into uint32",
        "4294967296 | cannot unmarshal !!int `4294967296` into uint32",
        "1:30      | cannot unmarshal !!str `1:30` into uint32", // SnakeYAML: base 60
        "\"10\" | cannot unmarshal !!str `10` into uint32", // quoted: a string
        "ten       | cannot unmarshal !!str `ten` into uint32"
      })
  void otherFormsAreRefusedLoudly(String written, String error) {
    assertThatThrownBy(() -> limit(written))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("f.yaml: ")
        .hasMessageContaining(error)
        .extracting(e -> ((ConfigException) e).path())
        .isEqualTo("descriptors[0].rate_limit.requests_per_unit");
  }

  @Test
  void yaml11BooleansAndStringsOfOtherTypesKeepTheirText() {
    DescriptorSpec d =
        reader
            .read(
                "f.yaml",
                "domain: d\ndescriptors:\n  - key: k\n    value: 017\n    shadow_mode: y\n"
                    + "  - key: NO\n    value: on\n    detailed_metric: yes\n")
            .descriptors()
            .get(0);
    assertThat(d.value()).isEqualTo("017");
    assertThat(d.shadowMode()).isTrue();
    assertThat(
            reader
                .read("f.yaml", "domain: d\ndescriptors:\n  - key: NO\n    value: on\n")
                .descriptors()
                .get(0))
        .extracting(DescriptorSpec::key, DescriptorSpec::value)
        .containsExactly("NO", "on");
  }

  @Test
  void mergeKeysWorkAsInTheReference() {
    ConfigDocument doc =
        reader.read(
            "f.yaml",
            """
            domain: d
            descriptors:
              - key: a
                rate_limit: &base {unit: minute, requests_per_unit: 10, name: base}
              - key: b
                rate_limit:
                  <<: *base
                  requests_per_unit: 20
              - key: c
                rate_limit:
                  <<: [{name: first}, *base]
            """);
    assertThat(doc.descriptors().get(1).rateLimit())
        .isEqualTo(new RateLimitSpec("minute", 20, false, "base", java.util.List.of()));
    // Of several merged mappings the first wins, as in yaml.v2 and the YAML merge spec.
    assertThat(doc.descriptors().get(2).rateLimit())
        .isEqualTo(new RateLimitSpec("minute", 10, false, "first", java.util.List.of()));
  }

  @Test
  void aMergeAfterAnExplicitKeyAndAKeyWrittenTwiceAreRefused() {
    assertThatThrownBy(
            () ->
                reader.read(
                    "f.yaml",
                    """
                    domain: d
                    descriptors:
                      - key: a
                        rate_limit: &base {unit: minute, requests_per_unit: 10}
                      - key: b
                        rate_limit:
                          requests_per_unit: 20
                          <<: *base
                    """))
        .hasMessageContaining("merge key after explicit key 'requests_per_unit'");
    assertThatThrownBy(
            () ->
                reader.read(
                    "f.yaml",
                    "domain: d\ndescriptors:\n  - key: a\n"
                        + "    rate_limit: {unit: minute, requests_per_unit: 1, requests_per_unit: 9}\n"))
        .hasMessageContaining("key 'requests_per_unit' appears twice");
  }

  @Test
  void onlyTheFirstDocumentIsReadAndTheRestIsAWarning() {
    ConfigDocument doc =
        reader.read("f.yaml", "domain: first\n---\ndomain: second\n---\n[broken\n");
    assertThat(doc.domain()).isEqualTo("first");
    assertThat(doc.warnings()).singleElement().asString().contains("only the first YAML document");
    assertThat(reader.read("f.yaml", "domain: only\n").warnings()).isEmpty();
  }

  @Test
  void bytesThatAreNotUtf8AreAnErrorNamingTheFile() {
    byte[] latin1 = "domain: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> reader.read("dir/f.yaml", latin1))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("dir/f.yaml: error loading config file: yaml: invalid UTF-8");
    byte[] utf16 = "\uFEFFdomain: d\n".getBytes(StandardCharsets.UTF_16BE);
    assertThat(reader.read("f.yaml", utf16).domain()).isEqualTo("d");
  }
}
