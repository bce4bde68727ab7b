package io.tollgate.ratelimit.config;

/**
 * A configuration the service refuses. The message is {@code <file>: <reason>}, the reference's
 * format, so operators see the same text whichever service loaded the file.
 */
public final class ConfigException extends RuntimeException {

  private final String source;
  private final String reason;

  public ConfigException(String source, String reason) {
    super(source + ": " + reason, null, false, false);
    this.source = source;
    this.reason = reason;
  }

  /** The file (or xDS resource name) that holds the error. */
  public String source() {
    return source;
  }

  /** The error without the file name. */
  public String reason() {
    return reason;
  }
}
