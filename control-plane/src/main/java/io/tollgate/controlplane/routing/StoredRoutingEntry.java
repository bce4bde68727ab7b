package io.tollgate.controlplane.routing;

/**
 * A REST upstream or route as stored.
 *
 * @param name its name
 * @param json the element as {@code tollgate.yaml} would hold it, canonical
 * @param version its ETag: the routing version of its last change
 * @param shadowedByFile the config file declares the same name, so the file's entry is in force
 */
public record StoredRoutingEntry(String name, String json, long version, boolean shadowedByFile) {

  /** The strong ETag of this entry, quoted. */
  public String etag() {
    return "\"" + version + "\"";
  }
}
