package io.tollgate.controlplane.limits.store;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface LimitRuleRepository extends JpaRepository<LimitRuleEntity, String> {

  List<LimitRuleEntity> findAllByOrderByNameAsc();

  /** The rules written after rules version {@code version} (index limit_rule_version). */
  List<LimitRuleEntity> findByVersionGreaterThan(long version);

  /** Every rule's name: which rules a reload must drop, without reading their definitions. */
  @Query("select e.name from LimitRuleEntity e")
  List<String> names();
}
