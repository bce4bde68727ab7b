package io.tollgate.referenceconfig;

/**
 * A configuration refused. The message is {@code <file>: <reason>}, the reference's format, so
 * operators see the same text whichever service loaded the file; {@link #path()} says where in the
 * document (for the control plane's import, which answers with the field at fault).
 */
public final class ConfigException extends RuntimeException {

  private final String source;
  private final String reason;
  private final String path;

  public ConfigException(String source, String reason) {
    this(source, reason, "");
  }

  /**
   * @param path where in the document, e.g. {@code descriptors[0].rate_limit.requests_per_unit};
   *     empty for the document as a whole
   */
  public ConfigException(String source, String reason, String path) {
    super(source + ": " + reason, null, false, false);
    this.source = source;
    this.reason = reason;
    this.path = path;
  }

  /** The file (or xDS resource name) that holds the error. */
  public String source() {
    return source;
  }

  /** The error without the file name. */
  public String reason() {
    return reason;
  }

  /** Where in the document, empty when the document as a whole is at fault. */
  public String path() {
    return path;
  }
}
