package io.tollgate.controlplane.limits.store;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface LimitRuleRepository extends JpaRepository<LimitRuleEntity, String> {

  List<LimitRuleEntity> findAllByOrderByNameAsc();

  /** Every rule's name and version, by name: which definitions changed, without reading them. */
  @Query(
      "select new io.tollgate.controlplane.limits.store.RuleStamp(e.name, e.version)"
          + " from LimitRuleEntity e order by e.name")
  List<RuleStamp> stamps();
}
