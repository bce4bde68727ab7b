package io.tollgate.controlplane.limits.store;

import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.LimitRuleJson;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hibernate.envers.AuditReader;
import org.hibernate.envers.AuditReaderFactory;
import org.hibernate.envers.RevisionType;
import org.hibernate.envers.query.AuditEntity;
import org.hibernate.envers.query.AuditQuery;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads the rules' audit trail (Hibernate Envers) a page at a time: the database orders, filters
 * and limits, so a request costs the page it returns, not the size of the table. An update's
 * "before" is the previous row of the same rule: inside the fetched rows when the page holds it,
 * else one single-row query per rule.
 */
@Component
public class RuleHistory {

  private final EntityManager entityManager;
  private final LimitRuleJson json;

  RuleHistory(EntityManager entityManager, LimitRuleJson json) {
    this.entityManager = entityManager;
    this.json = json;
  }

  /**
   * At most {@code limit} changes, newest first, after {@code after} when given; of one rule when
   * {@code name} is given.
   */
  @Transactional(readOnly = true)
  public HistoryPage page(Optional<String> name, int limit, Optional<HistoryCursor> after) {
    AuditQuery query =
        audit().createQuery().forRevisionsOfEntity(LimitRuleEntity.class, false, true);
    name.ifPresent(n -> query.add(AuditEntity.id().eq(n)));
    after.ifPresent(
        c ->
            query.add(
                AuditEntity.or(
                    AuditEntity.revisionNumber().lt(c.revision()),
                    AuditEntity.and(
                        AuditEntity.revisionNumber().eq(c.revision()),
                        AuditEntity.property("name").gt(c.name())))));
    query
        .addOrder(AuditEntity.revisionNumber().desc())
        .addOrder(AuditEntity.property("name").asc())
        // One more than asked: it tells whether there is a next page, and may be a "before".
        .setMaxResults(limit + 1);
    List<Row> rows = new ArrayList<>();
    for (Object result : query.getResultList()) {
      Object[] cells = (Object[]) result;
      rows.add(
          new Row((LimitRuleEntity) cells[0], (RuleRevision) cells[1], (RevisionType) cells[2]));
    }
    List<RuleHistoryEntry> entries = new ArrayList<>();
    for (int i = 0; i < Math.min(limit, rows.size()); i++) {
      entries.add(entry(rows.get(i), rows.subList(i + 1, rows.size())));
    }
    Optional<HistoryCursor> next =
        rows.size() > limit
            ? Optional.of(
                new HistoryCursor(entries.get(limit - 1).revision(), entries.get(limit - 1).name()))
            : Optional.empty();
    return new HistoryPage(entries, next);
  }

  /**
   * The audit row of exactly this rule and revision (not the state "as of" it, which Envers' find
   * gives for any revision, another rule's included). In the caller's transaction.
   */
  Optional<Row> at(String name, long revision) {
    List<?> found =
        audit()
            .createQuery()
            .forRevisionsOfEntity(LimitRuleEntity.class, false, true)
            .add(AuditEntity.id().eq(name))
            .add(AuditEntity.revisionNumber().eq(revision))
            .getResultList();
    return found.stream()
        .map(r -> (Object[]) r)
        .map(c -> new Row((LimitRuleEntity) c[0], (RuleRevision) c[1], (RevisionType) c[2]))
        .findFirst();
  }

  private RuleHistoryEntry entry(Row row, List<Row> older) {
    LimitRule state = row.rule(json);
    LimitRule before =
        switch (row.type()) {
          case ADD -> null;
          case DEL -> state;
          case MOD -> previous(row, older);
        };
    return new RuleHistoryEntry(
        row.revision().id(),
        Instant.ofEpochMilli(row.revision().timestamp()),
        row.revision().actor(),
        switch (row.type()) {
          case ADD -> "created";
          case MOD -> "updated";
          case DEL -> "deleted";
        },
        row.state().name(),
        row.state().source(),
        before,
        row.type() == RevisionType.DEL ? null : state);
  }

  /** The rule before {@code row} changed it; null when that revision was pruned. */
  private LimitRule previous(Row row, List<Row> older) {
    String name = row.state().name();
    for (Row candidate : older) {
      if (candidate.state().name().equals(name)) {
        return candidate.rule(json);
      }
    }
    List<?> found =
        audit()
            .createQuery()
            .forRevisionsOfEntity(LimitRuleEntity.class, true, true)
            .add(AuditEntity.id().eq(name))
            .add(AuditEntity.revisionNumber().lt(row.revision().id()))
            .addOrder(AuditEntity.revisionNumber().desc())
            .setMaxResults(1)
            .getResultList();
    return found.isEmpty() ? null : json.read(((LimitRuleEntity) found.get(0)).definition());
  }

  private AuditReader audit() {
    return AuditReaderFactory.get(entityManager);
  }

  /** One audit row: the rule's state after the change (before it, for a deletion). */
  record Row(LimitRuleEntity state, RuleRevision revision, RevisionType type) {

    LimitRule rule(LimitRuleJson json) {
      return state.definition() == null ? null : json.read(state.definition());
    }
  }
}
