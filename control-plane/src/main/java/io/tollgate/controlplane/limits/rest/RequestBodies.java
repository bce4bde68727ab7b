package io.tollgate.controlplane.limits.rest;

import io.tollgate.controlplane.limits.store.LimitsProblem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.springframework.http.HttpStatus;

/** Reads a request body up to a bound; a bigger body is refused with 413 before it is parsed. */
public final class RequestBodies {

  /** The largest rule document accepted. */
  public static final int MAX_RULE_BYTES = 64 * 1024;

  /** The largest import file accepted. */
  static final int MAX_IMPORT_BYTES = 1024 * 1024;

  private RequestBodies() {}

  public static byte[] read(InputStream in, int max) {
    try {
      byte[] body = in.readNBytes(max + 1);
      if (body.length > max) {
        throw new LimitsProblem(
            HttpStatus.CONTENT_TOO_LARGE, "", "the body must be at most " + max + " bytes");
      }
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
