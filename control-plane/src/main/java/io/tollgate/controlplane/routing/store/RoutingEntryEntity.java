package io.tollgate.controlplane.routing.store;

import io.tollgate.controlplane.limits.store.DefinitionEntity;
import io.tollgate.controlplane.routing.RoutingKind;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.envers.Audited;

/**
 * The stored form of a REST upstream or route: its canonical JSON (one element of the file's list)
 * and version, keyed by kind and name ({@code route/orders}). Audited by Envers.
 */
@Entity
@Table(name = "routing_entry")
@Audited
class RoutingEntryEntity extends DefinitionEntity {

  @Id
  @Column(name = "id", length = 72)
  private String id;

  @Enumerated(EnumType.STRING)
  @Column(name = "kind", length = 8, nullable = false)
  private RoutingKind kind;

  @Column(name = "name", length = 63, nullable = false)
  private String name;

  protected RoutingEntryEntity() {}

  RoutingEntryEntity(RoutingKind kind, String name, String definition, long version) {
    super(definition, version);
    this.id = id(kind, name);
    this.kind = kind;
    this.name = name;
  }

  static String id(RoutingKind kind, String name) {
    return kind.what() + "/" + name;
  }

  String idValue() {
    return id;
  }

  RoutingKind kind() {
    return kind;
  }

  String name() {
    return name;
  }
}
