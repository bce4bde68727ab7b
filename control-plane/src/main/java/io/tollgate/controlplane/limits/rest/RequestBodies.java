package io.tollgate.controlplane.limits.rest;

import io.tollgate.controlplane.limits.store.LimitsProblem;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.springframework.http.HttpStatus;

/** Reads a request body up to a bound; a bigger body is refused with 413 before it is parsed. */
public final class RequestBodies {

  /** The largest rule document accepted. */
  private static final int MAX_RULE_BYTES = 64 * 1024;

  /**
   * The largest import file accepted: room for 10,000 rules and more in one import (the reference
   * YAML of a rule with one path and one counted dimension is about 300 bytes).
   */
  static final int MAX_IMPORT_BYTES = 8 * 1024 * 1024;

  private RequestBodies() {}

  /** The body of a create or replace: one rule or entry, at most {@link #MAX_RULE_BYTES}. */
  public static byte[] rule(HttpServletRequest request) throws IOException {
    return read(request.getInputStream(), MAX_RULE_BYTES);
  }

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
