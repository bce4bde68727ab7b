package io.tollgate.controlplane.routing.store;

import io.tollgate.controlplane.limits.store.StoreVersion;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The version of all REST upstreams and routes, locked by each change until commit, so the checks
 * against the other entries cannot race either.
 */
@Repository
class RoutingVersion extends StoreVersion {

  RoutingVersion(JdbcTemplate jdbc) {
    super(jdbc, "routing_state");
  }
}
