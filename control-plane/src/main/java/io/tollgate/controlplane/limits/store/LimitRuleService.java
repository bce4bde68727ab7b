package io.tollgate.controlplane.limits.store;

import io.tollgate.controlplane.limits.InvalidRuleException;
import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.LimitRuleJson;
import io.tollgate.controlplane.limits.RuleSet;
import io.tollgate.controlplane.limits.RuleSource;
import io.tollgate.controlplane.limits.RuleViolation;
import io.tollgate.controlplane.limits.StoredRule;
import io.tollgate.controlplane.limits.validation.LimitRuleValidator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.hibernate.envers.RevisionType;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The rule store: every change validates first, bumps the rules version, writes, and is audited by
 * Envers in the same transaction; after commit the {@link LimitRulesWatcher} publishes the new rule
 * set. All-or-nothing: a rejected request changes nothing.
 */
@Service
public class LimitRuleService {

  private final LimitRuleRepository repository;
  private final RulesVersionStore versions;
  private final LimitRuleJson json;
  private final RuleHistory history;
  private final ApplicationEventPublisher events;

  LimitRuleService(
      LimitRuleRepository repository,
      RulesVersionStore versions,
      LimitRuleJson json,
      RuleHistory history,
      ApplicationEventPublisher events) {
    this.repository = repository;
    this.versions = versions;
    this.json = json;
    this.history = history;
    this.events = events;
  }

  /** Published inside a changing transaction; listeners act after commit. */
  public record Committed() {}

  @Transactional(readOnly = true)
  public RuleSet snapshot() {
    long version = versions.current();
    return new RuleSet(
        version, repository.findAllByOrderByNameAsc().stream().map(this::toStored).toList());
  }

  /**
   * The current rule set, reading only the rules written since {@code previous} (their rule version
   * is above its rules version; the others are taken from it), so a reload after one write reads
   * one row, not the table. Deletions are seen by the row count; only when it disagrees are the
   * names read (one narrow column). Versions are bumped under a row lock held until commit, so
   * every write at or below the version read first is visible to the reads after it; a write
   * committed meanwhile has a higher version and the next reload (the version differs) takes it.
   */
  @Transactional(readOnly = true)
  public RuleSet snapshot(RuleSet previous) {
    long version = versions.current();
    Map<String, StoredRule> byName = new TreeMap<>();
    previous.rules().forEach(r -> byName.put(r.rule().name(), r));
    repository
        .findByVersionGreaterThan(previous.version())
        .forEach(e -> byName.put(e.name(), toStored(e)));
    if (byName.size() != repository.count()) {
      byName.keySet().retainAll(new HashSet<>(repository.names()));
    }
    return new RuleSet(version, List.copyOf(byName.values()));
  }

  @Transactional(readOnly = true)
  public Optional<StoredRule> get(String name) {
    return repository.findById(name).map(this::toStored);
  }

  @Transactional
  public StoredRule create(LimitRule rule) {
    LimitRuleValidator.requireValid(rule);
    long version = versions.bump();
    // By primary key: no query to parse, unlike existsById's count.
    if (repository.findById(rule.name()).isPresent()) {
      throw new LimitsProblem(
          HttpStatus.CONFLICT,
          "name",
          "a limit rule named '"
              + rule.name()
              + "' exists; PUT /api/v1/limits/"
              + rule.name()
              + " replaces it");
    }
    return save(new LimitRuleEntity(rule.name(), json.write(rule), RuleSource.REST, version));
  }

  @Transactional
  public StoredRule replace(String name, LimitRule rule, IfMatch ifMatch) {
    LimitRuleValidator.requireValid(rule);
    if (!name.equals(rule.name())) {
      throw new InvalidRuleException(
          "name", "must equal the name in the URL ('" + name + "'); rules cannot be renamed");
    }
    long version = versions.bump();
    LimitRuleEntity entity = restEditable(name);
    ifMatch.check(toStored(entity));
    entity.update(json.write(rule), RuleSource.REST, version);
    return save(entity);
  }

  @Transactional
  public void delete(String name, IfMatch ifMatch) {
    versions.bump();
    LimitRuleEntity entity = restEditable(name);
    ifMatch.check(toStored(entity));
    repository.delete(entity);
    events.publishEvent(new Committed());
  }

  /** Creates or replaces REST rules; all of them or none. */
  @Transactional
  public List<StoredRule> importRules(List<LimitRule> rules) {
    List<RuleViolation> violations = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < rules.size(); i++) {
      LimitRule rule = rules.get(i);
      violations.addAll(LimitRuleValidator.validate(rule, "rules[" + i + "]."));
      if (rule.name() != null && !names.add(rule.name())) {
        violations.add(new RuleViolation("rules[" + i + "].name", "duplicate " + rule.name()));
      }
    }
    if (!violations.isEmpty()) {
      throw new InvalidRuleException(violations);
    }
    long version = versions.bump();
    List<LimitRuleEntity> saved = new ArrayList<>();
    for (LimitRule rule : rules) {
      Optional<LimitRuleEntity> existing = repository.findById(rule.name());
      existing.ifPresent(e -> requireRestOwned(e));
      LimitRuleEntity entity =
          existing.orElseGet(() -> new LimitRuleEntity(rule.name(), "", RuleSource.REST, version));
      entity.update(json.write(rule), RuleSource.REST, version);
      saved.add(repository.save(entity));
    }
    // One flush for the whole import: a flush per rule dirty-checks every rule saved before it,
    // which made an import of 10,000 rules quadratic.
    repository.flush();
    events.publishEvent(new Committed());
    return saved.stream().map(this::toStored).toList();
  }

  /**
   * Makes the stored file rules equal {@code rules}: the file owns the names it declares, so a REST
   * rule of the same name is taken over; file rules no longer declared are deleted. Run as the
   * principal "file" so history says who. Does nothing (no new version) when nothing differs.
   */
  @Transactional
  public void syncFileRules(List<LimitRule> rules) {
    rules.forEach(LimitRuleValidator::requireValid);
    Map<String, LimitRuleEntity> current = new HashMap<>();
    repository.findAll().forEach(e -> current.put(e.name(), e));
    Map<String, String> wanted = new HashMap<>();
    rules.forEach(r -> wanted.put(r.name(), json.write(r)));
    boolean changed =
        current.values().stream()
                .anyMatch(e -> e.source() == RuleSource.FILE && !wanted.containsKey(e.name()))
            || wanted.entrySet().stream()
                .anyMatch(
                    w -> {
                      LimitRuleEntity e = current.get(w.getKey());
                      return e == null
                          || e.source() != RuleSource.FILE
                          || !e.definition().equals(w.getValue());
                    });
    if (!changed) {
      return;
    }
    long version = versions.bump();
    for (LimitRuleEntity e : current.values()) {
      if (e.source() == RuleSource.FILE && !wanted.containsKey(e.name())) {
        repository.delete(e);
      }
    }
    wanted.forEach(
        (name, definition) -> {
          LimitRuleEntity e = current.get(name);
          if (e == null) {
            repository.save(new LimitRuleEntity(name, definition, RuleSource.FILE, version));
          } else if (e.source() != RuleSource.FILE || !e.definition().equals(definition)) {
            e.update(definition, RuleSource.FILE, version);
          }
        });
    events.publishEvent(new Committed());
  }

  /**
   * Puts back the rule as it was after {@code revision} changed it (re-creating it if it was
   * deleted since). Needs a precondition like PUT: {@code If-Match} when the rule exists, {@code
   * If-None-Match: *} when it does not.
   */
  @Transactional
  public StoredRule restore(String name, long revision, RestorePrecondition precondition) {
    if (revision <= 0) {
      throw new LimitsProblem(
          HttpStatus.BAD_REQUEST,
          "revision",
          "must be a positive revision number from GET /api/v1/limits/" + name + "/history");
    }
    RuleHistory.Row row =
        history
            .at(name, revision)
            .orElseThrow(
                () ->
                    new LimitsProblem(
                        HttpStatus.NOT_FOUND,
                        "revision",
                        "revision "
                            + revision
                            + " is not in the history of rule '"
                            + name
                            + "' (it never changed this rule, or was pruned)"));
    if (row.type() == RevisionType.DEL) {
      throw new LimitsProblem(
          HttpStatus.NOT_FOUND,
          "revision",
          "revision "
              + revision
              + " deleted rule '"
              + name
              + "'; restore the revision before it to bring the rule back");
    }
    LimitRule rule = row.rule(json);
    long version = versions.bump();
    Optional<LimitRuleEntity> existing = repository.findById(name);
    existing.ifPresent(LimitRuleService::requireRestOwned);
    precondition.check(name, existing.map(this::toStored));
    LimitRuleEntity entity =
        existing.orElseGet(() -> new LimitRuleEntity(name, "", RuleSource.REST, version));
    entity.update(json.write(rule), RuleSource.REST, version);
    return save(entity);
  }

  private StoredRule save(LimitRuleEntity entity) {
    LimitRuleEntity saved = repository.saveAndFlush(entity);
    events.publishEvent(new Committed());
    return toStored(saved);
  }

  private LimitRuleEntity restEditable(String name) {
    LimitRuleEntity entity =
        repository.findById(name).orElseThrow(() -> LimitsProblem.notFound(name));
    requireRestOwned(entity);
    return entity;
  }

  private static void requireRestOwned(LimitRuleEntity entity) {
    if (entity.source() == RuleSource.FILE) {
      throw new LimitsProblem(
          HttpStatus.CONFLICT,
          "name",
          "rule '"
              + entity.name()
              + "' is declared in the config file (source: file); change it there");
    }
  }

  private StoredRule toStored(LimitRuleEntity entity) {
    return new StoredRule(json.read(entity.definition()), entity.version(), entity.source());
  }
}
