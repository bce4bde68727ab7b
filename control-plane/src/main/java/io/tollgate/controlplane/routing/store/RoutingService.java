package io.tollgate.controlplane.routing.store;

import io.tollgate.controlplane.configfile.GatewayConfig;
import io.tollgate.controlplane.configfile.GatewayConfigEntries;
import io.tollgate.controlplane.configfile.RouteSpec;
import io.tollgate.controlplane.configfile.UpstreamSpec;
import io.tollgate.controlplane.limits.InvalidRuleException;
import io.tollgate.controlplane.limits.LimitRuleJson;
import io.tollgate.controlplane.limits.store.EntityHistory;
import io.tollgate.controlplane.limits.store.IfMatch;
import io.tollgate.controlplane.limits.store.LimitsProblem;
import io.tollgate.controlplane.limits.store.RestorePrecondition;
import io.tollgate.controlplane.routing.RoutingKind;
import io.tollgate.controlplane.routing.StoredRoutingEntry;
import io.tollgate.controlplane.xds.SnapshotPublisher;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The REST API's upstreams and routes, with the limit rules' guarantees: a change takes the next
 * routing version (locking it, so checks against the other entries cannot race), is checked as the
 * config file's entries are ({@link GatewayConfigEntries}) in the context of the merged config,
 * then translated as a dry run, and only then written and audited in one transaction; a refused
 * request changes nothing. The file wins for the names it declares: those cannot be created or
 * changed here.
 */
@Service
public class RoutingService {

  private final RoutingEntryRepository repository;
  private final RoutingVersion versions;
  private final SnapshotPublisher snapshots;
  private final LimitRuleJson json;
  private final EntityManager entityManager;
  private final ApplicationEventPublisher events;
  private static final EntityHistory<RoutingEntryEntity> HISTORY =
      new EntityHistory<>(RoutingEntryEntity.class);

  private final GatewayConfigEntries entries = new GatewayConfigEntries();

  RoutingService(
      RoutingEntryRepository repository,
      RoutingVersion versions,
      SnapshotPublisher snapshots,
      LimitRuleJson json,
      EntityManager entityManager,
      ApplicationEventPublisher events) {
    this.repository = repository;
    this.versions = versions;
    this.snapshots = snapshots;
    this.json = json;
    this.entityManager = entityManager;
    this.events = events;
  }

  /** Published inside a changing transaction; the watcher publishes after commit. */
  public record Committed() {}

  /** Parses a request body strictly (one JSON object); the checks come with the write. */
  public JsonNode parse(byte[] body, RoutingKind kind) {
    return json.parse(body, JsonNode.class, "an " + kind.what() + " of tollgate.yaml");
  }

  /** Every REST entry at one version. */
  @Transactional(readOnly = true)
  RestRouting rest() {
    long version = versions.current();
    Map<String, String> byId = new TreeMap<>();
    repository.findAllByOrderByIdAsc().forEach(e -> byId.put(e.idValue(), e.definition()));
    return new RestRouting(version, new TreeMap<>(byId));
  }

  /** The REST entries of one kind by name, each saying whether the file shadows it. */
  @Transactional(readOnly = true)
  public List<StoredRoutingEntry> list(RoutingKind kind) {
    return repository.findAllByOrderByIdAsc().stream()
        .filter(e -> e.kind() == kind)
        .map(this::stored)
        .toList();
  }

  @Transactional(readOnly = true)
  public Optional<StoredRoutingEntry> get(RoutingKind kind, String name) {
    return repository.findById(RestRouting.id(kind, name)).map(this::stored);
  }

  @Transactional
  public StoredRoutingEntry create(RoutingKind kind, JsonNode body) {
    long version = versions.next();
    RestRouting before = rest();
    GatewayConfigEntries.Entry<?> entry = check(kind, body, before);
    requireNotFileOwned(kind, entry.name());
    if (repository.existsById(RestRouting.id(kind, entry.name()))) {
      throw new LimitsProblem(
          HttpStatus.CONFLICT,
          "name",
          "an "
              + kind.what()
              + " named '"
              + entry.name()
              + "' exists; PUT "
              + kind.path()
              + "/"
              + entry.name()
              + " replaces it");
    }
    requireApplicable(before, before.with(kind, entry.name(), entry.json()));
    return save(new RoutingEntryEntity(kind, entry.name(), entry.json(), version));
  }

  @Transactional
  public StoredRoutingEntry replace(RoutingKind kind, String name, JsonNode body, IfMatch ifMatch) {
    RoutingEntryEntity entity = editable(kind, name);
    long version = versions.next();
    ifMatch.check(name, stored(entity).etag());
    RestRouting before = rest();
    GatewayConfigEntries.Entry<?> entry = check(kind, body, before);
    if (!name.equals(entry.name())) {
      throw new InvalidRuleException(
          "name", "must equal the name in the URL ('" + name + "'); entries cannot be renamed");
    }
    requireApplicable(before, before.with(kind, name, entry.json()));
    entity.update(entry.json(), version);
    return save(entity);
  }

  @Transactional
  public void delete(RoutingKind kind, String name, IfMatch ifMatch) {
    RoutingEntryEntity entity = editable(kind, name);
    versions.next();
    ifMatch.check(name, stored(entity).etag());
    RestRouting before = rest();
    requireApplicable(before, before.without(kind, name));
    repository.delete(entity);
    events.publishEvent(new Committed());
  }

  /**
   * The changes of one entry, newest first, at most {@code limit}.
   *
   * @param limit 1 to 1000
   */
  @Transactional(readOnly = true)
  public List<EntityHistory.Change<JsonNode>> history(RoutingKind kind, String name, int limit) {
    return HISTORY.changes(entityManager, RestRouting.id(kind, name), limit, this::tree);
  }

  /**
   * Puts back the entry as {@code revision} left it (re-creating it if it was deleted since), with
   * the limit rules' precondition, checked again in today's context like any write.
   */
  @Transactional
  public StoredRoutingEntry restore(
      RoutingKind kind, String name, long revision, RestorePrecondition precondition) {
    requireNotFileOwned(kind, name);
    String id = RestRouting.id(kind, name);
    RoutingEntryEntity old =
        HISTORY.writtenAt(
            entityManager,
            id,
            revision,
            kind.what() + " '" + name + "'",
            kind.path() + "/" + name + "/history");
    long version = versions.next();
    Optional<RoutingEntryEntity> existing = repository.findById(id);
    precondition.checkEtag(name, existing.map(e -> stored(e).etag()));
    RestRouting before = rest();
    GatewayConfigEntries.Entry<?> entry = check(kind, tree(old), before);
    requireApplicable(before, before.with(kind, name, entry.json()));
    RoutingEntryEntity entity =
        existing.orElseGet(() -> new RoutingEntryEntity(kind, name, entry.json(), version));
    entity.update(entry.json(), version);
    return save(entity);
  }

  /** The file's checks of one element, a route in the context of the merged config without it. */
  private GatewayConfigEntries.Entry<?> check(RoutingKind kind, JsonNode body, RestRouting rest) {
    return switch (kind) {
      case UPSTREAM -> entries.upstream(body);
      case ROUTE ->
          entries.route(
              body, without(rest, body.path("name").asString(""), snapshots.fileGateway()));
    };
  }

  private GatewayConfig without(RestRouting rest, String route, GatewayConfig file) {
    return rest.without(RoutingKind.ROUTE, route).over(file, entries);
  }

  /**
   * Refuses a change that breaks REST routes which held before it (409 naming them: e.g. deleting
   * an upstream they use), or whose merged config does not translate (400).
   */
  private void requireApplicable(RestRouting before, RestRouting after) {
    GatewayConfig file = snapshots.fileGateway();
    TreeSet<String> broken = new TreeSet<>(broken(after, file).keySet());
    broken.removeAll(broken(before, file).keySet());
    if (!broken.isEmpty()) {
      Map<String, String> why = broken(after, file);
      throw new LimitsProblem(
          HttpStatus.CONFLICT,
          "name",
          "routes "
              + String.join(", ", broken)
              + " would break ("
              + String.join(
                  "; ", broken.stream().map(r -> "route '" + r + "': " + why.get(r)).toList())
              + "); change or delete them first");
    }
    try {
      snapshots.checkOverlay(f -> after.over(f, entries));
    } catch (RuntimeException e) {
      throw new InvalidRuleException(
          "", "the merged configuration does not translate to Envoy resources: " + e.getMessage());
    }
  }

  /** The REST routes in force (not shadowed) that fail the file's checks, with why. */
  private Map<String, String> broken(RestRouting rest, GatewayConfig file) {
    Map<String, String> out = new TreeMap<>();
    rest.named(RoutingKind.ROUTE)
        .forEach(
            (name, stored) -> {
              if (declares(file.routes(), RouteSpec::name, name)) {
                return;
              }
              try {
                entries.route(JsonMapper.shared().readTree(stored), without(rest, name, file));
              } catch (InvalidRuleException e) {
                out.put(name, e.getMessage());
              }
            });
    return out;
  }

  private StoredRoutingEntry save(RoutingEntryEntity entity) {
    RoutingEntryEntity saved = repository.saveAndFlush(entity);
    events.publishEvent(new Committed());
    return stored(saved);
  }

  private RoutingEntryEntity editable(RoutingKind kind, String name) {
    requireNotFileOwned(kind, name);
    return repository.findById(RestRouting.id(kind, name)).orElseThrow(() -> notFound(kind, name));
  }

  public static LimitsProblem notFound(RoutingKind kind, String name) {
    return new LimitsProblem(
        HttpStatus.NOT_FOUND, "name", "no REST " + kind.what() + " named '" + name + "'");
  }

  private void requireNotFileOwned(RoutingKind kind, String name) {
    if (fileDeclares(kind, name)) {
      throw new LimitsProblem(
          HttpStatus.CONFLICT,
          "name",
          kind.what()
              + " '"
              + name
              + "' is declared in the config file, which wins for the names it declares; change"
              + " it there");
    }
  }

  private boolean fileDeclares(RoutingKind kind, String name) {
    GatewayConfig file = snapshots.fileGateway();
    return switch (kind) {
      case UPSTREAM -> declares(file.upstreams(), UpstreamSpec::name, name);
      case ROUTE -> declares(file.routes(), RouteSpec::name, name);
    };
  }

  private static <T> boolean declares(
      List<T> list, java.util.function.Function<T, String> name, String wanted) {
    return list.stream().anyMatch(t -> name.apply(t).equals(wanted));
  }

  private JsonNode tree(RoutingEntryEntity entity) {
    return entity.definition() == null ? null : JsonMapper.shared().readTree(entity.definition());
  }

  private StoredRoutingEntry stored(RoutingEntryEntity entity) {
    return new StoredRoutingEntry(
        entity.name(),
        entity.definition(),
        entity.version(),
        fileDeclares(entity.kind(), entity.name()));
  }
}
