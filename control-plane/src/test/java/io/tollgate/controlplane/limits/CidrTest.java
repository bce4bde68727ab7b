package io.tollgate.controlplane.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing and printing of ranges: literals only, spelled as Envoy spells a masked address. */
class CidrTest {

  @ParameterizedTest
  @CsvSource({
    "10.0.0.0/8, 10.0.0.0/8",
    "0.0.0.0/0, 0.0.0.0/0",
    "2001:0DB8:0000::/32, 2001:db8::/32",
    "::/0, ::/0",
    "2001:db8:0:1:0:0:0:0/64, 2001:db8:0:1::/64",
    "2001:0:0:1:0:0:0:0/64, 2001:0:0:1::/64",
    "::1.2.3.4/128, ::102:304/128"
  })
  void printsTheCanonicalForm(String text, String printed) {
    assertThat(Cidr.parse(text)).hasToString(printed);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "10.0.0.0|'10.0.0.0' is not a CIDR (address/prefix-length)",
        "256.0.0.0/8|'256.0.0.0/8' is not a valid IPv4 address",
        "example.com/8|'example.com/8' is not an IPv4 or IPv6 address",
        "localhost/32|'localhost/32' is not an IPv4 or IPv6 address",
        "::ffff:10.0.0.0/104|'::ffff:10.0.0.0/104' is not an IPv4 or IPv6 address",
        "fe80::1%1/128|'fe80::1%1/128' is not an IPv4 or IPv6 address",
        "10.0.0.0/33|'10.0.0.0/33' has an invalid prefix length; expected 0..32",
        "10.0.0.1/8|'10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?",
        "2001:db8::1/32|'2001:db8::1/32' has host bits set; did you mean 2001:db8::/32?"
      })
  void rejectsWithAMessageNamingTheProblem(String text, String message) {
    assertThatThrownBy(() -> Cidr.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }
}
