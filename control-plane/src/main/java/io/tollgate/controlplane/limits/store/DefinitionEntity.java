package io.tollgate.controlplane.limits.store;

import jakarta.persistence.Column;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Version;
import org.hibernate.envers.Audited;

/**
 * The columns of a stored entry that is one definition (access entries, upstreams and routes): its
 * canonical JSON, the store version of its last change (its ETag) and JPA's optimistic lock.
 * Audited with the entity, so {@link EntityHistory} reads the definitions of past revisions.
 */
@MappedSuperclass
@Audited
public abstract class DefinitionEntity {

  @Column(name = "definition", length = 65536, nullable = false)
  private String definition;

  @Column(name = "version", nullable = false)
  private long version;

  @Version
  @Column(name = "lock_version", nullable = false)
  private long lockVersion;

  protected DefinitionEntity() {}

  protected DefinitionEntity(String definition, long version) {
    update(definition, version);
  }

  public void update(String definition, long version) {
    this.definition = definition;
    this.version = version;
  }

  /** The canonical JSON; null in the state a deletion left. */
  public String definition() {
    return definition;
  }

  public long version() {
    return version;
  }
}
