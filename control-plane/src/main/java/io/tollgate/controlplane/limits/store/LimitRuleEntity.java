package io.tollgate.controlplane.limits.store;

import io.tollgate.controlplane.limits.Accuracy;
import io.tollgate.controlplane.limits.Algorithm;
import io.tollgate.controlplane.limits.RuleSource;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.PrePersist;
import jakarta.persistence.PreUpdate;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import jakarta.persistence.Version;
import org.hibernate.envers.Audited;
import org.springframework.data.domain.Persistable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The stored form of a rule: its canonical JSON plus ownership and version. Audited by Envers.
 * {@link Persistable}: the name is assigned, not generated, so without it saving a new rule would
 * be a merge, which first selects the row it is about to insert.
 */
@Entity
@Table(name = "limit_rule")
@Audited
class LimitRuleEntity implements Persistable<String> {

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

  /** Whether this row is in the database (loaded or inserted); a new one is persisted. */
  @Transient private boolean stored;

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

  @PostLoad
  @PostPersist
  void markStored() {
    stored = true;
  }

  @Override
  public String getId() {
    return name;
  }

  @Override
  public boolean isNew() {
    return !stored;
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
