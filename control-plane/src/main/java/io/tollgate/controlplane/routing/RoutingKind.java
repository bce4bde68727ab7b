package io.tollgate.controlplane.routing;

/** The two lists of {@code tollgate.yaml} the REST API adds to. */
public enum RoutingKind {
  UPSTREAM("upstream", "/api/v1/upstreams"),
  ROUTE("route", "/api/v1/routes");

  private final String what;
  private final String path;

  RoutingKind(String what, String path) {
    this.what = what;
    this.path = path;
  }

  /** How messages name one entry: {@code upstream}, {@code route}. */
  public String what() {
    return what;
  }

  /** The collection's URL path. */
  public String path() {
    return path;
  }
}
