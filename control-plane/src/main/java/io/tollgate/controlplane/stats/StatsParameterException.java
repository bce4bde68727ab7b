package io.tollgate.controlplane.stats;

/** A query parameter of the statistics API that cannot be used; answered with a 400. */
class StatsParameterException extends RuntimeException {

  private final String parameter;

  StatsParameterException(String parameter, String message) {
    super(message);
    this.parameter = parameter;
  }

  String parameter() {
    return parameter;
  }
}
