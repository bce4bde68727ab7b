package io.tollgate.controlplane.xds;

/**
 * Told of every NACK an xDS client sends (after the node registry has recorded it). Called on the
 * gRPC thread with the registry's lock held: an implementation hands the work to its own thread and
 * never calls back into the registry from here.
 */
public interface XdsNackListener {

  /**
   * @param nodeId the node that rejected the response
   * @param typeUrl the resource type it rejected
   * @param rejectedVersion the version it rejected ("unknown" when it answered no known response)
   * @param acceptedVersion the last version of that type it accepted and still runs (the NACK's
   *     {@code version_info}; empty when it has accepted none)
   * @param message the client's error detail, e.g. Envoy's reason
   */
  void nacked(
      String nodeId,
      String typeUrl,
      String rejectedVersion,
      String acceptedVersion,
      String message);
}
