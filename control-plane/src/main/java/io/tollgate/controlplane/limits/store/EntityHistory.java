package io.tollgate.controlplane.limits.store;

import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.hibernate.envers.AuditReaderFactory;
import org.hibernate.envers.RevisionType;
import org.hibernate.envers.query.AuditEntity;
import org.springframework.http.HttpStatus;

/**
 * The Envers history of one audited entity by id, in the limit rules' change sets ({@link
 * RuleRevision}: who and when), for the stores whose entries are one definition each (access
 * entries, upstreams and routes).
 *
 * @param <E> the audited entity
 */
public final class EntityHistory<E> {

  /**
   * One change of an entity.
   *
   * @param change created, updated or deleted
   * @param before the state before it; null when created, or when that revision is beyond the page
   * @param after the state after it; null when deleted
   */
  public record Change<T>(
      long revision, Instant time, String actor, String change, T before, T after) {}

  private final Class<E> type;

  public EntityHistory(Class<E> type) {
    this.type = type;
  }

  /**
   * The changes of the entity {@code id}, newest first, at most {@code limit}.
   *
   * @param read the model of a state; null for a state without data (a deletion's)
   */
  public <T> List<Change<T>> changes(
      EntityManager entityManager, Object id, int limit, Function<E, T> read) {
    List<?> rows =
        AuditReaderFactory.get(entityManager)
            .createQuery()
            .forRevisionsOfEntity(type, false, true)
            .add(AuditEntity.id().eq(id))
            .addOrder(AuditEntity.revisionNumber().desc())
            // One more than asked: the "before" of the oldest entry returned.
            .setMaxResults(limit + 1)
            .getResultList();
    List<Change<T>> out = new ArrayList<>();
    for (int i = 0; i < Math.min(limit, rows.size()); i++) {
      Object[] row = (Object[]) rows.get(i);
      RuleRevision revision = (RuleRevision) row[1];
      RevisionType kind = (RevisionType) row[2];
      T after = read.apply(type.cast(row[0]));
      T before =
          switch (kind) {
            case ADD -> null;
            case DEL -> after;
            case MOD ->
                i + 1 < rows.size() ? read.apply(type.cast(((Object[]) rows.get(i + 1))[0])) : null;
          };
      out.add(
          new Change<>(
              revision.id(),
              Instant.ofEpochMilli(revision.timestamp()),
              revision.actor(),
              switch (kind) {
                case ADD -> "created";
                case MOD -> "updated";
                case DEL -> "deleted";
              },
              before,
              kind == RevisionType.DEL ? null : after));
    }
    return out;
  }

  /**
   * The state {@code revision} left the entity {@code id} in; a 404 naming {@code revision} when it
   * did not create or update it.
   *
   * @param entry how the answer names the entity ("access entry 'office'")
   * @param historyPath where its history is ("/api/v1/access-rules/office/history")
   */
  public E writtenAt(
      EntityManager entityManager, Object id, long revision, String entry, String historyPath) {
    List<?> found =
        AuditReaderFactory.get(entityManager)
            .createQuery()
            .forRevisionsOfEntity(type, false, true)
            .add(AuditEntity.id().eq(id))
            .add(AuditEntity.revisionNumber().eq(revision))
            .getResultList();
    return found.stream()
        .map(r -> (Object[]) r)
        .filter(r -> r[2] != RevisionType.DEL)
        .map(r -> type.cast(r[0]))
        .findFirst()
        .orElseThrow(
            () ->
                new LimitsProblem(
                    HttpStatus.NOT_FOUND,
                    "revision",
                    "revision "
                        + revision
                        + " did not create or update "
                        + entry
                        + "; see GET "
                        + historyPath));
  }
}
