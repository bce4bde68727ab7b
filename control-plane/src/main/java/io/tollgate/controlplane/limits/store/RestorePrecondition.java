package io.tollgate.controlplane.limits.store;

import io.tollgate.controlplane.limits.StoredRule;
import java.util.Optional;
import org.springframework.http.HttpStatus;

/**
 * What a restore must state about the rule it overwrites (RFC 9110 §13.1): {@code If-Match} with
 * its ETag (or {@code *}) when the rule exists, as PUT; {@code If-None-Match: *} when it was
 * deleted, since no ETag can match a rule that is not there. Either header also makes a browser
 * preflight the request, so a page cannot trigger a restore.
 *
 * @param ifMatch the {@code If-Match} header
 * @param ifNoneMatch the raw {@code If-None-Match} header, or null when absent
 */
public record RestorePrecondition(IfMatch ifMatch, String ifNoneMatch) {

  /** Throws 428 when the needed header is absent, 412 when it does not hold. */
  void check(String name, Optional<StoredRule> current) {
    checkEtag(name, current.map(StoredRule::etag));
  }

  /**
   * The same check for anything with a name and a strong ETag (access entries too).
   *
   * @param etag the quoted ETag of the current state; empty when there is none
   */
  public void checkEtag(String name, Optional<String> etag) {
    boolean noneMatch = ifNoneMatch != null && !ifNoneMatch.isBlank();
    if (etag.isPresent()) {
      if (noneMatch) {
        throw new LimitsProblem(
            HttpStatus.PRECONDITION_FAILED,
            "If-None-Match",
            "rule '"
                + name
                + "' exists (ETag "
                + etag.get()
                + "); restoring over it requires If-Match");
      }
      ifMatch.check(name, etag.get());
    } else if (ifMatch.present()) {
      throw new LimitsProblem(
          HttpStatus.PRECONDITION_FAILED,
          "If-Match",
          "rule '" + name + "' does not exist; If-None-Match: * re-creates a deleted rule");
    } else if (!noneMatch) {
      throw new LimitsProblem(
          HttpStatus.PRECONDITION_REQUIRED,
          "If-None-Match",
          "rule '" + name + "' does not exist; re-creating it requires If-None-Match: *");
    }
  }
}
