package io.tollgate.controlplane.xds.translate;

import io.tollgate.controlplane.limits.Accuracy;
import io.tollgate.controlplane.limits.Cidr;
import io.tollgate.controlplane.limits.CountedBy;
import io.tollgate.controlplane.regex.GateRegexes;
import java.util.List;

/**
 * One entry of a rule's descriptor chain. The same step gives both sides of the contract: the Envoy
 * route action that emits the entry and the {@code key}/{@code value} the rate-limit service
 * configuration matches, so the two can never disagree (see {@link RuleDescriptors}).
 */
public sealed interface DescriptorStep {

  /** The descriptor key. */
  String key();

  /** The value the rate-limit configuration matches; null: any value, each counted apart. */
  String value();

  /** First entry of every chain: names the rule. Envoy: {@code generic_key}. */
  record RuleName(String name) implements DescriptorStep {
    public static final String KEY = "rule";

    @Override
    public String key() {
      return KEY;
    }

    @Override
    public String value() {
      return name;
    }
  }

  /**
   * Second entry of an approximate rule's chain: {@code accuracy = approximate}. It keeps the tier
   * in the rate-limit configuration (and so in the reference YAML export) as a plain descriptor
   * level, which the reference service loads without complaint; Envoy's quota filter puts it into
   * the bucket id as a constant. Exact rules have no such entry.
   */
  record ApproximateTier() implements DescriptorStep {
    public static final String KEY = "accuracy";

    @Override
    public String key() {
      return KEY;
    }

    @Override
    public String value() {
      return Accuracy.APPROXIMATE.wireName();
    }
  }

  /**
   * Gates the chain on the client range. Envoy: {@code masked_remote_address} with the range's
   * prefix length, which emits the client address masked to that length; only a client inside the
   * range produces the value the configuration holds.
   */
  record SourceRange(Cidr cidr) implements DescriptorStep {
    public static final String KEY = "masked_remote_address";

    @Override
    public String key() {
      return KEY;
    }

    @Override
    public String value() {
      return cidr.toString();
    }
  }

  /** How a path gate compares. */
  enum PathKind {
    EXACT("match_path"),
    PREFIX("match_path_prefix"),
    REGEX("match_path_regex");

    final String key;

    PathKind(String key) {
      this.key = key;
    }
  }

  /**
   * Gates the chain on the path. Envoy: {@code header_value_match} on {@code :path}, a prefix or
   * {@link #regex()}.
   */
  record PathGate(PathKind kind, String text) implements DescriptorStep {

    @Override
    public String key() {
      return kind.key;
    }

    /**
     * The regex Envoy matches {@code :path} against (null for a prefix, which needs none). {@code
     * :path} holds the query string too; Envoy's route matching ignores it, and so do gates.
     */
    public String regex() {
      return switch (kind) {
        case PREFIX -> null;
        case EXACT -> GateRegexes.exactPath(text);
        case REGEX -> GateRegexes.pathRegex(text);
      };
    }

    @Override
    public String value() {
      return text;
    }
  }

  /**
   * Gates the chain on the method. Envoy: {@code header_value_match} on {@code :method} with {@link
   * #regex()}.
   */
  record MethodGate(List<String> methods) implements DescriptorStep {
    public static final String KEY = "match_methods";

    public MethodGate {
      methods = List.copyOf(methods);
    }

    /** The regex Envoy matches {@code :method} against. */
    public String regex() {
      return GateRegexes.methods(methods);
    }

    @Override
    public String key() {
      return KEY;
    }

    @Override
    public String value() {
      return String.join(",", methods);
    }
  }

  /**
   * Gates the chain on a header being present ({@code *}) or equal to a value. Envoy: {@code
   * header_value_match}.
   */
  record HeaderGate(String header, String expected) implements DescriptorStep {
    public static final String KEY_PREFIX = "match_header:";

    @Override
    public String key() {
      return KEY_PREFIX + header;
    }

    @Override
    public String value() {
      return expected;
    }
  }

  /**
   * A counted dimension: each distinct value gets its own counter. Envoy: {@code remote_address}
   * (ip), the {@code envoy.rate_limit_descriptors.expr} extension with {@code request.url_path}
   * (path, without the query string) and with {@link #absentOrValue} ({@code header:NAME}), {@code
   * request_headers} (method, {@code header-if-present:NAME}: Envoy drops the whole descriptor of a
   * request without the header).
   */
  record Counted(CountedBy dimension) implements DescriptorStep {
    @Override
    public String key() {
      if (dimension instanceof CountedBy.Ip) {
        return "remote_address";
      }
      // path, method and header:NAME are keyed by their rule-language spelling
      return dimension.spelling();
    }

    @Override
    public String value() {
      return null;
    }

    /**
     * CEL: the header's value, or {@link CountedBy#ABSENT} without it. Header names are validated
     * tokens, which never hold a double quote or a backslash.
     */
    public static String absentOrValue(String header) {
      String name = "\"" + header + "\"";
      return name
          + " in request.headers ? request.headers["
          + name
          + "] : \""
          + CountedBy.ABSENT
          + "\"";
    }
  }
}
