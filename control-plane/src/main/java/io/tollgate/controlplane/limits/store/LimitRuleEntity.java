package io.tollgate.controlplane.limits.store;

import io.tollgate.controlplane.limits.Accuracy;
import io.tollgate.controlplane.limits.Algorithm;
import io.tollgate.controlplane.limits.RuleSource;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.PreUpdate;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.hibernate.envers.Audited;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The stored form of a rule: its canonical JSON plus ownership and version. Audited by Envers. */
@Entity
@Table(name = "limit_rule")
@Audited
class LimitRuleEntity {

  /** Reads the mirrored fields of a stored definition; immutable, so shared. */
  private static final JsonMapper DEFINITIONS = JsonMapper.builder().build();

  @Id
  @Column(name = "name", length = 63)
  private String name;

  @Column(name = "definition", length = 65536, nullable = false)
  private String definition;

  @Column(name = "source", length = 8, nullable = false)
  private String source;

  @Column(name = "version", nullable = false)
  private long version;

  /** Mirrors the definition's {@code accuracy} (see the migration V12_1), set on every write. */
  @Column(name = "accuracy", length = 16, nullable = false)
  private String accuracy = Accuracy.EXACT.wireName();

  /** Mirrors the definition's {@code algorithm} (see the migration V15_1), set on every write. */
  @Column(name = "algorithm", length = 16, nullable = false)
  private String algorithm = Algorithm.FIXED_WINDOW.wireName();

  /** Mirrors the definition's {@code limit.burst}: null for a window (migration V15_1). */
  @Column(name = "burst")
  private Long burst;

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

  @PrePersist
  @PreUpdate
  void mirrorAccuracy() {
    JsonNode rule = DEFINITIONS.readTree(definition);
    JsonNode tier = rule.get("accuracy");
    accuracy = tier == null || tier.isNull() ? Accuracy.EXACT.wireName() : tier.asString();
    JsonNode counting = rule.get("algorithm");
    algorithm =
        counting == null || counting.isNull()
            ? Algorithm.FIXED_WINDOW.wireName()
            : counting.asString();
    JsonNode extra = rule.path("limit").get("burst");
    burst = extra == null || extra.isNull() ? null : extra.asLong();
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
