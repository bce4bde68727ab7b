package io.tollgate.controlplane.access.store;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

interface AccessRuleRepository extends JpaRepository<AccessRuleEntity, String> {

  List<AccessRuleEntity> findAllByOrderByNameAsc();
}
