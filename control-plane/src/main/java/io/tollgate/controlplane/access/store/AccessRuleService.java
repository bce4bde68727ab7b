package io.tollgate.controlplane.access.store;

import io.tollgate.controlplane.access.AccessRule;
import io.tollgate.controlplane.access.AccessRules;
import io.tollgate.controlplane.access.StoredAccessRule;
import io.tollgate.controlplane.access.validation.AccessRuleValidator;
import io.tollgate.controlplane.limits.InvalidRuleException;
import io.tollgate.controlplane.limits.LimitRuleJson;
import io.tollgate.controlplane.limits.RuleSource;
import io.tollgate.controlplane.limits.store.EntityHistory;
import io.tollgate.controlplane.limits.store.IfMatch;
import io.tollgate.controlplane.limits.store.LimitsProblem;
import io.tollgate.controlplane.limits.store.RestorePrecondition;
import jakarta.persistence.EntityManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The REST API's access entries, with the limit rules' guarantees: every change validates first,
 * takes the next version (the ETag), writes and is audited by Envers in one transaction, and a
 * rejected request changes nothing. The config file's entries are read-only here: the file wins for
 * the names it declares.
 */
@Service
public class AccessRuleService {

  private static final String WHAT = "an access entry";
  private static final EntityHistory<AccessRuleEntity> HISTORY =
      new EntityHistory<>(AccessRuleEntity.class);

  private final AccessRuleRepository repository;
  private final AccessVersion versions;
  private final FileAccessEntries file;
  private final LimitRuleJson json;
  private final EntityManager entityManager;
  private final ApplicationEventPublisher events;

  AccessRuleService(
      AccessRuleRepository repository,
      AccessVersion versions,
      FileAccessEntries file,
      LimitRuleJson json,
      EntityManager entityManager,
      ApplicationEventPublisher events) {
    this.repository = repository;
    this.versions = versions;
    this.file = file;
    this.json = json;
    this.entityManager = entityManager;
    this.events = events;
  }

  /** Published inside a changing transaction; the watcher publishes after commit. */
  public record Committed() {}

  /** What {@link #rest()} read: the REST entries at one version. */
  public record RestEntries(long version, List<AccessRule> rules) {}

  /** Parses a request body strictly; does not validate. */
  public AccessRule parse(byte[] body) {
    return json.parse(body, AccessRule.class, WHAT);
  }

  @Transactional(readOnly = true)
  public RestEntries rest() {
    long version = versions.current();
    return new RestEntries(
        version, repository.findAllByOrderByNameAsc().stream().map(this::read).toList());
  }

  /** Every entry in force, the file's first by name as the translator merges them. */
  @Transactional(readOnly = true)
  public List<StoredAccessRule> list() {
    Map<String, StoredAccessRule> byName = new HashMap<>();
    repository.findAllByOrderByNameAsc().forEach(e -> byName.put(e.name(), stored(e)));
    file.entries().forEach(r -> byName.put(r.name(), new StoredAccessRule(r, 0, RuleSource.FILE)));
    List<AccessRule> rest =
        byName.values().stream()
            .filter(s -> s.source() == RuleSource.REST)
            .map(StoredAccessRule::rule)
            .toList();
    return AccessRules.effective(file.entries(), rest).stream()
        .map(r -> byName.get(r.name()))
        .toList();
  }

  @Transactional(readOnly = true)
  public Optional<StoredAccessRule> get(String name) {
    return list().stream().filter(s -> s.rule().name().equals(name)).findFirst();
  }

  @Transactional
  public StoredAccessRule create(AccessRule rule) {
    AccessRuleValidator.requireValid(rule);
    requireNotFileOwned(rule.name());
    long version = versions.next();
    if (repository.existsById(rule.name())) {
      throw new LimitsProblem(
          HttpStatus.CONFLICT,
          "name",
          "an access entry named '"
              + rule.name()
              + "' exists; PUT /api/v1/access-rules/"
              + rule.name()
              + " replaces it");
    }
    return save(new AccessRuleEntity(rule.name(), json.writeValue(rule), version));
  }

  @Transactional
  public StoredAccessRule replace(String name, AccessRule rule, IfMatch ifMatch) {
    AccessRuleValidator.requireValid(rule);
    if (!name.equals(rule.name())) {
      throw new InvalidRuleException(
          "name", "must equal the name in the URL ('" + name + "'); entries cannot be renamed");
    }
    AccessRuleEntity entity = editable(name);
    long version = versions.next();
    ifMatch.check(name, stored(entity).etag());
    entity.update(json.writeValue(rule), version);
    return save(entity);
  }

  @Transactional
  public void delete(String name, IfMatch ifMatch) {
    AccessRuleEntity entity = editable(name);
    versions.next();
    ifMatch.check(name, stored(entity).etag());
    repository.delete(entity);
    events.publishEvent(new Committed());
  }

  /**
   * The changes of one entry, newest first, at most {@code limit}.
   *
   * @param limit 1 to 1000
   */
  @Transactional(readOnly = true)
  public List<AccessHistoryEntry> history(String name, int limit) {
    return HISTORY.changes(entityManager, name, limit, this::readDefinition).stream()
        .map(change -> AccessHistoryEntry.of(name, change))
        .toList();
  }

  /**
   * Puts back the entry as {@code revision} left it (re-creating it if it was deleted since), with
   * the limit rules' precondition: {@code If-Match} when it exists, {@code If-None-Match: *} when
   * it does not.
   */
  @Transactional
  public StoredAccessRule restore(String name, long revision, RestorePrecondition precondition) {
    requireNotFileOwned(name);
    AccessRule rule =
        read(
            HISTORY.writtenAt(
                entityManager,
                name,
                revision,
                "access entry '" + name + "'",
                "/api/v1/access-rules/" + name + "/history"));
    long version = versions.next();
    Optional<AccessRuleEntity> existing = repository.findById(name);
    precondition.checkEtag(name, existing.map(e -> stored(e).etag()));
    AccessRuleEntity entity =
        existing.orElseGet(() -> new AccessRuleEntity(name, json.writeValue(rule), version));
    entity.update(json.writeValue(rule), version);
    return save(entity);
  }

  private StoredAccessRule save(AccessRuleEntity entity) {
    AccessRuleEntity saved = repository.saveAndFlush(entity);
    events.publishEvent(new Committed());
    return stored(saved);
  }

  private AccessRuleEntity editable(String name) {
    requireNotFileOwned(name);
    return repository
        .findById(name)
        .orElseThrow(
            () ->
                new LimitsProblem(
                    HttpStatus.NOT_FOUND, "name", "no access entry named '" + name + "'"));
  }

  private void requireNotFileOwned(String name) {
    if (file.declares(name)) {
      throw new LimitsProblem(
          HttpStatus.CONFLICT,
          "name",
          "access entry '"
              + name
              + "' is declared in the config file (source: file); change it there");
    }
  }

  /** The entry a state holds; null for a deletion's. */
  private AccessRule readDefinition(AccessRuleEntity entity) {
    return entity.definition() == null ? null : read(entity);
  }

  private AccessRule read(AccessRuleEntity entity) {
    return json.read(entity.definition(), AccessRule.class);
  }

  private StoredAccessRule stored(AccessRuleEntity entity) {
    return new StoredAccessRule(read(entity), entity.version(), RuleSource.REST);
  }
}
