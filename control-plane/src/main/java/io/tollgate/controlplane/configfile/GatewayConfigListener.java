package io.tollgate.controlplane.configfile;

/**
 * Told of every valid new {@link GatewayConfig}; the xDS side turns it into a snapshot. A config is
 * applied in two phases: every listener {@link #check}s it (parse, then translate as a dry run),
 * and only when all accept it does any listener commit it (the file's rules to the database) and
 * publish it, so a config that does not translate leaves nothing of itself behind.
 */
@FunctionalInterface
public interface GatewayConfigListener {

  /**
   * Dry run: throws if the config cannot be applied; changes nothing.
   *
   * @throws RuntimeException if the config cannot be applied; the caller keeps the previous one
   */
  default void check(GatewayConfig config) {}

  /**
   * @throws RuleStoreException if the database refused the file's limit rules
   * @throws RuntimeException if the config cannot be applied; the caller keeps the previous one
   */
  void gatewayChanged(GatewayConfig config);

  /** The file's limit rules could not be stored: the database failed, not the file. */
  final class RuleStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RuleStoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
