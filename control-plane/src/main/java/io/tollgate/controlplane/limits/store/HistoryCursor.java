package io.tollgate.controlplane.limits.store;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;

/**
 * Where a page of history ends: the last entry returned. History is ordered by revision, newest
 * first, then by rule name (one revision can change several rules, e.g. an import), so the next
 * page starts after this pair. Written {@code <revision>:<name>} in the {@code cursor} parameter.
 *
 * @param revision the entry's revision
 * @param name the entry's rule
 */
public record HistoryCursor(long revision, String name) {

  /**
   * The form of a cursor, as the OpenAPI description gives it. At most 18 digits: every such
   * revision is a {@code long} (19 digits could overflow one), and no store reaches 10^18.
   */
  public static final String PATTERN = "^([1-9][0-9]{0,17}):([a-z0-9-]{1,63})$";

  private static final Pattern FORM = Pattern.compile(PATTERN);

  /**
   * @throws LimitsProblem 400 naming {@code cursor} when the value is not one this API wrote
   */
  public static HistoryCursor parse(String value) {
    Matcher m = FORM.matcher(value);
    if (!m.matches()) {
      throw new LimitsProblem(
          HttpStatus.BAD_REQUEST,
          "cursor",
          "must be the cursor of a previous page (from its Link: rel=\"next\" header), not '"
              + value
              + "'");
    }
    return new HistoryCursor(Long.parseLong(m.group(1)), m.group(2));
  }

  @Override
  public String toString() {
    return revision + ":" + name;
  }
}
