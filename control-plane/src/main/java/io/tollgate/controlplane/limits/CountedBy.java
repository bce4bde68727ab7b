package io.tollgate.controlplane.limits;

/**
 * One entry of a rule's {@code by}: what a counter is keyed by. Spelled {@code ip}, {@code path},
 * {@code method}, {@code header:NAME} or {@code header-if-present:NAME}.
 */
public sealed interface CountedBy {

  /** The rule-language spelling, e.g. {@code header:x-api-key}. */
  String spelling();

  /** The client address Envoy sees (after {@code xff_num_trusted_hops}). */
  record Ip() implements CountedBy {
    @Override
    public String spelling() {
      return "ip";
    }
  }

  /** The normalized path without its query string. */
  record Path() implements CountedBy {
    @Override
    public String spelling() {
      return "path";
    }
  }

  /** The request method. */
  record Method() implements CountedBy {
    @Override
    public String spelling() {
      return "method";
    }
  }

  /**
   * The value of a request header.
   *
   * @param countAbsent {@code header:NAME}: requests without the header count too, all under one
   *     shared counter (value {@link #ABSENT}), so leaving the header out is no way around the
   *     limit; {@code header-if-present:NAME}: the rule does not count them at all
   */
  record Header(String name, boolean countAbsent) implements CountedBy {
    @Override
    public String spelling() {
      return (countAbsent ? HEADER_PREFIX : HEADER_IF_PRESENT_PREFIX) + name;
    }
  }

  String HEADER_PREFIX = "header:";
  String HEADER_IF_PRESENT_PREFIX = "header-if-present:";

  /**
   * The descriptor value of a request without the header, for {@code header:NAME}. A client sending
   * this very value only joins the keyless requests' counter.
   */
  String ABSENT = "(absent)";

  /**
   * Parses a spelling.
   *
   * @throws IllegalArgumentException naming the accepted spellings
   */
  static CountedBy parse(String spelling) {
    if (spelling == null) {
      throw new IllegalArgumentException("must not be null");
    }
    return switch (spelling) {
      case "ip" -> new Ip();
      case "path" -> new Path();
      case "method" -> new Method();
      default -> {
        if (spelling.startsWith(HEADER_PREFIX)) {
          yield new Header(spelling.substring(HEADER_PREFIX.length()), true);
        }
        if (spelling.startsWith(HEADER_IF_PRESENT_PREFIX)) {
          yield new Header(spelling.substring(HEADER_IF_PRESENT_PREFIX.length()), false);
        }
        throw new IllegalArgumentException(
            "unknown dimension '"
                + spelling
                + "'; one of ip, path, method, header:NAME, header-if-present:NAME");
      }
    };
  }
}
