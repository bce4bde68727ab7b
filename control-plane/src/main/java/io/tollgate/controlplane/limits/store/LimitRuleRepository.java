package io.tollgate.controlplane.limits.store;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

interface LimitRuleRepository extends JpaRepository<LimitRuleEntity, String> {

  List<LimitRuleEntity> findAllByOrderByNameAsc();
}
