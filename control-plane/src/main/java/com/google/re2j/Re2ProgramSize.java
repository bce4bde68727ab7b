package com.google.re2j;

import java.nio.charset.StandardCharsets;

/**
 * The program size RE2 C++ (Envoy's regex engine) reports for a regular expression, estimated from
 * above. Envoy compares it with its runtime {@code re2.max_program_size.error_level} (default 100)
 * and rejects the whole resource when it is larger.
 *
 * <p>What Envoy 1.40 does, measured with the real binary ({@code Re2ProgramSizeEnvoyIT} checks
 * every pattern of {@code re2/program-size-corpus.tsv} against it): RE2 works on Latin-1 there (a
 * non-ASCII character of the pattern is its UTF-8 bytes, {@code \p{L}} is the Latin-1 letters,
 * {@code \x{100}} and above are invalid), and the flattened program counts one instruction per
 * literal byte and per byte range of a class, two per capture, one per empty-width assertion and
 * per {@code +}, {@code ?} or {@code *} (three for a star of something that can match empty), none
 * for alternation, plus match, fail and the {@code .*?} prefix of a program not anchored at the
 * start.
 *
 * <p>RE2/J is a port of RE2 through Go: it parses and simplifies as RE2 C++ does (factoring of
 * alternations, expansion of counted repetition) but compiles to another instruction set, so the
 * size is counted here on RE2/J's simplified parse tree with RE2 C++'s costs. Where RE2 C++
 * compresses further (a case-folded range pair in one instruction, a trailing {@code $}, a star of
 * a plain character) the estimate counts the uncompressed form: it may reject a pattern at the
 * limit that Envoy would accept, never the reverse. It lives in RE2/J's package because the parse
 * tree is package-private there; the version is pinned in the build and the tests above fail if its
 * shape changes.
 */
public final class Re2ProgramSize {

  /** Match and fail instructions every program has. */
  private static final int FIXED = 2;

  /** The {@code .*?} loop RE2 puts in front of a program not anchored at the start. */
  private static final int UNANCHORED_PREFIX = 2;

  private static final int MAX_LATIN1 = 0xff;

  private Re2ProgramSize() {}

  /**
   * The estimate for {@code regex} as Envoy compiles it (RE2's Perl-like default syntax, Latin-1).
   *
   * @throws PatternSyntaxException when RE2 would not parse it
   */
  public static int of(String regex) {
    rejectWideEscapes(regex);
    String latin1 = new String(regex.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    Regexp tree = Simplify.simplify(Parser.parse(latin1, RE2.PERL));
    int size = FIXED + cost(tree);
    return startsAnchored(tree) ? size : size + UNANCHORED_PREFIX;
  }

  /** {@code \x{...}} above {@code \x{ff}}: RE2 on Latin-1 calls it an invalid escape sequence. */
  private static void rejectWideEscapes(String regex) {
    for (int i = 0; i + 1 < regex.length(); i++) {
      if (regex.charAt(i) != '\\') {
        continue;
      }
      int open = i + 2;
      if (regex.charAt(i + 1) == 'x' && open < regex.length() && regex.charAt(open) == '{') {
        int close = regex.indexOf('}', open);
        String hex = close < 0 ? "" : regex.substring(open + 1, close);
        if (hex.length() > 2 && !hex.replaceFirst("^0+", "").matches("[0-9a-fA-F]{0,2}")) {
          throw new PatternSyntaxException(
              "Envoy's RE2 matches Latin-1 bytes: no character above \\x{ff}",
              regex.substring(i, close < 0 ? regex.length() : close + 1));
        }
      }
      i++; // skip the escaped character
    }
  }

  private static boolean startsAnchored(Regexp re) {
    return switch (re.op) {
      case BEGIN_TEXT -> true;
      case CONCAT -> re.subs.length > 0 && startsAnchored(re.subs[0]);
      case CAPTURE -> startsAnchored(re.subs[0]);
      default -> false;
    };
  }

  private static int cost(Regexp re) {
    return switch (re.op) {
      case NO_MATCH, EMPTY_MATCH -> 1;
      case LITERAL -> literal(re);
      case CHAR_CLASS -> charClass(re.runes);
      // [^\n] is two byte ranges, (?s). one
      case ANY_CHAR_NOT_NL -> 2;
      case ANY_CHAR -> 1;
      case BEGIN_LINE, END_LINE, BEGIN_TEXT, END_TEXT, WORD_BOUNDARY, NO_WORD_BOUNDARY -> 1;
      case CAPTURE -> 2 + cost(re.subs[0]);
      case PLUS, QUEST -> 1 + cost(re.subs[0]);
      // RE2 C++ compiles a star of something that can match empty as (x+)? and a guard
      case STAR -> (nullable(re.subs[0]) ? 3 : 1) + cost(re.subs[0]);
      case CONCAT, ALTERNATE -> {
        long sum = 0;
        for (Regexp sub : re.subs) {
          sum += cost(sub);
        }
        yield (int) Math.min(sum, Integer.MAX_VALUE / 2);
      }
      // Simplify expands counted repetition: anything else is not a shape this estimate knows.
      default -> Integer.MAX_VALUE / 2;
    };
  }

  private static boolean nullable(Regexp re) {
    return switch (re.op) {
      case LITERAL, CHAR_CLASS, ANY_CHAR, ANY_CHAR_NOT_NL, NO_MATCH -> false;
      case CAPTURE, PLUS -> nullable(re.subs[0]);
      case CONCAT -> {
        boolean all = true;
        for (Regexp sub : re.subs) {
          all &= nullable(sub);
        }
        yield all;
      }
      case ALTERNATE -> {
        boolean any = false;
        for (Regexp sub : re.subs) {
          any |= nullable(sub);
        }
        yield any;
      }
      default -> true;
    };
  }

  private static int literal(Regexp re) {
    boolean fold = (re.flags & RE2.FOLD_CASE) != 0;
    int sum = 0;
    for (int rune : re.runes) {
      // RE2 C++ folds an ASCII letter with a flag on one instruction; count others as two
      sum += fold && rune > 0x7f ? 2 : 1;
    }
    return sum;
  }

  /** A class is rune ranges {@code lo, hi, lo, hi, ...}; on Latin-1 those above 0xff vanish. */
  private static int charClass(int[] ranges) {
    int sum = 0;
    for (int i = 0; i + 1 < ranges.length; i += 2) {
      if (ranges[i] <= MAX_LATIN1) {
        sum++;
      }
    }
    return Math.max(sum, 1);
  }
}
