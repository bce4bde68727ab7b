package io.tollgate.controlplane.limits.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.envers.RevisionEntity;
import org.hibernate.envers.RevisionNumber;
import org.hibernate.envers.RevisionTimestamp;

/** One Envers change set: when, and who (see {@link RuleRevisionListener}). */
@Entity
@Table(name = "limit_rule_revision")
@RevisionEntity(RuleRevisionListener.class)
public class RuleRevision {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  @RevisionNumber
  @Column(name = "id")
  private long id;

  @RevisionTimestamp
  @Column(name = "revision_time", nullable = false)
  private long timestamp;

  @Column(name = "actor", length = 128, nullable = false)
  private String actor;

  public long id() {
    return id;
  }

  public long timestamp() {
    return timestamp;
  }

  public String actor() {
    return actor;
  }

  void actor(String value) {
    this.actor = value;
  }
}
