package io.tollgate.controlplane.limits.store;

import io.tollgate.controlplane.limits.RuleSource;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.hibernate.envers.Audited;

/** The stored form of a rule: its canonical JSON plus ownership and version. Audited by Envers. */
@Entity
@Table(name = "limit_rule")
@Audited
class LimitRuleEntity {

  @Id
  @Column(name = "name", length = 63)
  private String name;

  @Column(name = "definition", length = 65536, nullable = false)
  private String definition;

  @Column(name = "source", length = 8, nullable = false)
  private String source;

  @Column(name = "version", nullable = false)
  private long version;

  @Version
  @Column(name = "lock_version", nullable = false)
  private long lockVersion;

  protected LimitRuleEntity() {}

  LimitRuleEntity(String name, String definition, RuleSource source, long version) {
    this.name = name;
    update(definition, source, version);
  }

  void update(String definition, RuleSource source, long version) {
    this.definition = definition;
    this.source = source.column();
    this.version = version;
  }

  String name() {
    return name;
  }

  String definition() {
    return definition;
  }

  RuleSource source() {
    return RuleSource.ofColumn(source);
  }

  long version() {
    return version;
  }
}
