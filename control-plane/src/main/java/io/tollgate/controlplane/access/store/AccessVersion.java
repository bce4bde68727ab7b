package io.tollgate.controlplane.access.store;

import io.tollgate.controlplane.limits.store.StoreVersion;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The version of all access entries (their ETags), locked by each change until commit. */
@Repository
class AccessVersion extends StoreVersion {

  AccessVersion(JdbcTemplate jdbc) {
    super(jdbc, "access_rules_state");
  }
}
