package io.tollgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the repository's {@code ${NAME}} templates (Envoy's bootstrap, nginx's config) exactly as
 * {@code envoy/render.sh} does for the scripts, so tests and {@code make run} share one template: a
 * value is inserted literally, and a value of several lines continues each line at the indentation
 * of the placeholder's line (a YAML fragment inserted as a block).
 */
public final class Templates {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)}");

  private Templates() {}

  /** The template with every placeholder replaced; fails naming the first one without a value. */
  public static String render(Path template, Map<String, String> values) {
    String text;
    try {
      text = Files.readString(template, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read template " + template, e);
    }
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException(template + " needs a value for ${" + m.group(1) + "}");
      }
      int lineStart = text.lastIndexOf('\n', m.start()) + 1;
      int indentEnd = lineStart;
      while (indentEnd < m.start() && Character.isWhitespace(text.charAt(indentEnd))) {
        indentEnd++;
      }
      String indented = value.replace("\n", "\n" + text.substring(lineStart, indentEnd));
      m.appendReplacement(out, Matcher.quoteReplacement(indented));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Renders the template into {@code target} and returns it. */
  public static Path renderTo(Path template, Map<String, String> values, Path target) {
    try {
      Files.writeString(target, render(template, values), StandardCharsets.UTF_8);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }
}
