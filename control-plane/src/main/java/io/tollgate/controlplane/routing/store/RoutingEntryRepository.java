package io.tollgate.controlplane.routing.store;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

interface RoutingEntryRepository extends JpaRepository<RoutingEntryEntity, String> {

  List<RoutingEntryEntity> findAllByOrderByIdAsc();
}
