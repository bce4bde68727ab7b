package io.tollgate.controlplane.limits;

/**
 * One entry of a rule's {@code by}: what a counter is keyed by. Spelled {@code ip}, {@code path},
 * {@code method} or {@code header:NAME}.
 */
public sealed interface Dimension {

  /** The rule-language spelling, e.g. {@code header:x-api-key}. */
  String spelling();

  /** The client address Envoy sees (after {@code xff_num_trusted_hops}). */
  record Ip() implements Dimension {
    @Override
    public String spelling() {
      return "ip";
    }
  }

  /** The normalized path without its query string. */
  record Path() implements Dimension {
    @Override
    public String spelling() {
      return "path";
    }
  }

  /** The request method. */
  record Method() implements Dimension {
    @Override
    public String spelling() {
      return "method";
    }
  }

  /** The value of a request header; requests without it are not counted by the rule. */
  record Header(String name) implements Dimension {
    @Override
    public String spelling() {
      return HEADER_PREFIX + name;
    }
  }

  String HEADER_PREFIX = "header:";

  /**
   * Parses a spelling.
   *
   * @throws IllegalArgumentException naming the accepted spellings
   */
  static Dimension parse(String spelling) {
    if (spelling == null) {
      throw new IllegalArgumentException("must not be null");
    }
    return switch (spelling) {
      case "ip" -> new Ip();
      case "path" -> new Path();
      case "method" -> new Method();
      default -> {
        if (spelling.startsWith(HEADER_PREFIX)) {
          yield new Header(spelling.substring(HEADER_PREFIX.length()));
        }
        throw new IllegalArgumentException(
            "unknown dimension '" + spelling + "'; one of ip, path, method, header:NAME");
      }
    };
  }
}
