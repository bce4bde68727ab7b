package io.tollgate.controlplane.limits.store;

import io.tollgate.controlplane.limits.StoredRule;
import java.util.Arrays;
import org.springframework.http.HttpStatus;

/**
 * An {@code If-Match} precondition (RFC 9110 §13.1.1, strong comparison). Changing a rule requires
 * one, so two operators cannot silently overwrite each other's edit; {@code *} states "whatever the
 * current version is".
 *
 * @param header the raw header value, or null when absent
 */
public record IfMatch(String header) {

  /** Throws 428 when absent, 412 when no listed ETag equals {@code current}. */
  void check(StoredRule current) {
    check(current.rule().name(), current.etag());
  }

  /**
   * The same check for anything with a name and a strong ETag (access entries too).
   *
   * @param etag the quoted current ETag
   */
  public void check(String name, String etag) {
    if (!present()) {
      throw new LimitsProblem(
          HttpStatus.PRECONDITION_REQUIRED,
          "If-Match",
          "changing a rule requires If-Match with its ETag (from GET), or If-Match: *");
    }
    boolean matches =
        Arrays.stream(header.split(","))
            .map(String::trim)
            .anyMatch(tag -> tag.equals("*") || tag.equals(etag));
    if (!matches) {
      throw new LimitsProblem(
          HttpStatus.PRECONDITION_FAILED,
          "If-Match",
          "rule '" + name + "' has changed: its ETag is now " + etag + ", not " + header);
    }
  }

  boolean present() {
    return header != null && !header.isBlank();
  }
}
