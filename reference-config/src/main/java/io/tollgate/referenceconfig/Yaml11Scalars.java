package io.tollgate.referenceconfig;

import java.math.BigInteger;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Plain scalars typed as the reference types them: go-yaml v2's resolver ({@code resolve.go}, YAML
 * 1.1 with Go's number syntax), not SnakeYAML's. The two disagree where it matters for a limit:
 * yaml.v2 reads {@code 017} as octal 15 (SnakeYAML's text would give 17), {@code 0x10} as 16 and
 * {@code 0o17} as 15 (SnakeYAML has no {@code 0o} and its text does not parse as a decimal), {@code
 * y}/{@code n} as booleans, {@code 1:30} as a string (SnakeYAML: a base-60 integer), and {@code 08}
 * as a float. Quoted scalars are always strings.
 */
final class Yaml11Scalars extends Resolver {

  private static final Set<String> TRUE =
      Set.of("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON");
  private static final Set<String> FALSE =
      Set.of("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF");
  private static final Set<String> NULL = Set.of("", "~", "null", "Null", "NULL");
  private static final Set<String> SPECIAL_FLOATS =
      Set.of(
          ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
          "-.Inf", "-.INF");

  /** yaml.v2's {@code yamlStyleFloat}. */
  private static final Pattern FLOAT =
      Pattern.compile("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");

  /** The part of Go's {@code strconv.ParseFloat} a scalar starting with '.' can reach. */
  private static final Pattern DOT_FLOAT = Pattern.compile("^\\.[0-9]+([eE][-+]?[0-9]+)?$");

  /** yaml.v2's timestamp forms (date, then optional time and zone), which start with YYYY-. */
  private static final Pattern TIMESTAMP =
      Pattern.compile(
          "^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
              + "([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})?)?$");

  private static final BigInteger MIN_INT64 = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger MAX_UINT64 =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final Map<Character, Integer> RADIX =
      Map.of('x', 16, 'X', 16, 'b', 2, 'B', 2, 'o', 8, 'O', 8);

  @Override
  protected void addImplicitResolvers() {
    // None of SnakeYAML's: resolve() below is the only typing.
  }

  @Override
  public Tag resolve(NodeId kind, String value, boolean implicit) {
    if (kind != NodeId.scalar) {
      return super.resolve(kind, value, implicit);
    }
    return implicit ? tagOf(value) : Tag.STR;
  }

  /** The tag yaml.v2 gives the plain scalar {@code in}. */
  static Tag tagOf(String in) {
    if ("<<".equals(in)) {
      // yaml.v2 recognises a merge by its plain "<<" text (isMerge), not through its table.
      return Tag.MERGE;
    }
    char hint = in.isEmpty() ? 'N' : in.charAt(0);
    boolean digitOrSign = hint == '+' || hint == '-' || (hint >= '0' && hint <= '9');
    if (!digitOrSign && "yYnNtTfFoO~.N".indexOf(hint) < 0) {
      return Tag.STR;
    }
    if (TRUE.contains(in) || FALSE.contains(in)) {
      return Tag.BOOL;
    }
    if (NULL.contains(in)) {
      return Tag.NULL;
    }
    if (SPECIAL_FLOATS.contains(in)) {
      return Tag.FLOAT;
    }
    if (hint == '.') {
      return DOT_FLOAT.matcher(in).matches() ? Tag.FLOAT : Tag.STR;
    }
    if (!digitOrSign) {
      return Tag.STR;
    }
    if (TIMESTAMP.matcher(in).matches()) {
      return Tag.TIMESTAMP;
    }
    String plain = in.replace("_", "");
    if (integer(plain) != null) {
      return Tag.INT;
    }
    return FLOAT.matcher(plain).matches() ? Tag.FLOAT : Tag.STR;
  }

  /** The value of a plain scalar tagged {@code !!int}; null if it is not one. */
  static BigInteger intValue(String in) {
    return integer(in.replace("_", ""));
  }

  /** True for an integer that fits Go's {@code int} (int64 here), not only its {@code uint64}. */
  static boolean fitsInt64(BigInteger v) {
    return v.bitLength() < 64;
  }

  /**
   * Go's {@code strconv.ParseInt(s, 0, 64)}, then {@code ParseUint(s, 0, 64)}: an optional sign
   * (ParseInt only), then {@code 0x}, {@code 0b}, {@code 0o} or a leading {@code 0} (octal) for the
   * base.
   */
  private static BigInteger integer(String s) {
    boolean negative = false;
    boolean signed = false;
    String digits = s;
    if (!digits.isEmpty() && (digits.charAt(0) == '+' || digits.charAt(0) == '-')) {
      negative = digits.charAt(0) == '-';
      signed = true;
      digits = digits.substring(1);
    }
    int radix = 10;
    if (digits.length() >= 2 && digits.charAt(0) == '0') {
      Integer prefixed = RADIX.get(digits.charAt(1));
      radix = prefixed == null ? 8 : prefixed;
      digits = digits.substring(prefixed == null ? 1 : 2);
    }
    if (digits.isEmpty()) {
      return null;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) > 127 || Character.digit(digits.charAt(i), radix) < 0) {
        return null;
      }
    }
    BigInteger v = new BigInteger(digits, radix);
    if (negative) {
      v = v.negate();
    }
    boolean int64 = v.compareTo(MIN_INT64) >= 0 && v.bitLength() < 64;
    boolean uint64 = !signed && v.compareTo(MAX_UINT64) <= 0;
    return int64 || uint64 ? v : null;
  }

  /** The boolean of a scalar tagged {@code !!bool}. */
  static boolean boolValue(String in) {
    return TRUE.contains(in);
  }
}
