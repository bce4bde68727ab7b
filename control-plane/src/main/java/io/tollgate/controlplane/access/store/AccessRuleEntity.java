package io.tollgate.controlplane.access.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.hibernate.envers.Audited;

/** The stored form of a REST access entry: its canonical JSON and version. Audited by Envers. */
@Entity
@Table(name = "access_rule")
@Audited
class AccessRuleEntity {

  @Id
  @Column(name = "name", length = 63)
  private String name;

  @Column(name = "definition", length = 65536, nullable = false)
  private String definition;

  @Column(name = "version", nullable = false)
  private long version;

  @Version
  @Column(name = "lock_version", nullable = false)
  private long lockVersion;

  protected AccessRuleEntity() {}

  AccessRuleEntity(String name, String definition, long version) {
    this.name = name;
    update(definition, version);
  }

  void update(String definition, long version) {
    this.definition = definition;
    this.version = version;
  }

  String name() {
    return name;
  }

  String definition() {
    return definition;
  }

  long version() {
    return version;
  }
}
