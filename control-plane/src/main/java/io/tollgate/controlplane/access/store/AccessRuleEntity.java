package io.tollgate.controlplane.access.store;

import io.tollgate.controlplane.limits.store.DefinitionEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.envers.Audited;

/** The stored form of a REST access entry: its canonical JSON and version. Audited by Envers. */
@Entity
@Table(name = "access_rule")
@Audited
class AccessRuleEntity extends DefinitionEntity {

  @Id
  @Column(name = "name", length = 63)
  private String name;

  protected AccessRuleEntity() {}

  AccessRuleEntity(String name, String definition, long version) {
    super(definition, version);
    this.name = name;
  }

  String name() {
    return name;
  }
}
