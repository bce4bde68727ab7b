package io.tollgate.ratelimit.config;

/**
 * A descriptor value with {@code *} wildcards, matched against the composite {@code key_value} as
 * the reference matches it. Each {@code *} stands for any run of characters, so {@code foo*} is the
 * reference's prefix match and {@code /api*v1} or {@code svc*ep*rpc} match in the middle too.
 */
public final class WildcardPattern {

  private final String pattern;
  private final String[] parts;
  private final boolean prefixOnly;

  public WildcardPattern(String pattern) {
    this.pattern = pattern;
    this.parts = pattern.split("\\*", -1);
    this.prefixOnly = parts.length == 2 && parts[1].isEmpty();
  }

  public static boolean isWildcard(String compositeKey) {
    return compositeKey.indexOf('*') >= 0;
  }

  public String pattern() {
    return pattern;
  }

  public boolean matches(String text) {
    if (prefixOnly) {
      return text.startsWith(parts[0]);
    }
    String first = parts[0];
    String last = parts[parts.length - 1];
    if (text.length() < first.length() + last.length()
        || !text.startsWith(first)
        || !text.endsWith(last)) {
      return false;
    }
    int from = first.length();
    int end = text.length() - last.length();
    for (int i = 1; i < parts.length - 1; i++) {
      int at = text.indexOf(parts[i], from);
      if (at < 0 || at + parts[i].length() > end) {
        return false;
      }
      from = at + parts[i].length();
    }
    return true;
  }

  @Override
  public String toString() {
    return pattern;
  }
}
