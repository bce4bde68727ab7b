package io.tollgate.controlplane.routing.rest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.tollgate.controlplane.limits.rest.HistoryPageLimit;
import io.tollgate.controlplane.limits.rest.RequestBodies;
import io.tollgate.controlplane.limits.store.EntityHistory;
import io.tollgate.controlplane.limits.store.IfMatch;
import io.tollgate.controlplane.limits.store.RestorePrecondition;
import io.tollgate.controlplane.routing.RoutingKind;
import io.tollgate.controlplane.routing.StoredRoutingEntry;
import io.tollgate.controlplane.routing.store.RoutingService;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The endpoints {@code /api/v1/upstreams} and {@code /api/v1/routes} share: bodies are one element
 * of the file's list, read as the limit rules' are (bounded, strictly parsed), checked as the
 * file's are; problems answer as the limit rules' do ({@code LimitsProblemHandler}). Each entry
 * answers with read-only {@code source}, {@code version} and {@code shadowedByFile}.
 */
abstract class RoutingEntriesController {

  static final String NAME = "/{name:(?!history$).+}";

  private final RoutingService service;
  private final RoutingKind kind;

  RoutingEntriesController(RoutingService service, RoutingKind kind) {
    this.service = service;
    this.kind = kind;
  }

  @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "The REST entries by name (the file's are not listed)")
  Map<String, Object> list() {
    return Map.of(
        "entries", service.list(kind).stream().map(RoutingEntriesController::view).toList());
  }

  @GetMapping(path = NAME, produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "One REST entry; its ETag is what If-Match needs to change it")
  ResponseEntity<ObjectNode> get(@PathVariable String name) {
    StoredRoutingEntry entry =
        service.get(kind, name).orElseThrow(() -> RoutingService.notFound(kind, name));
    return ResponseEntity.ok().eTag(entry.etag()).body(view(entry));
  }

  @PostMapping(
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Create an entry (one element of the file's list)")
  ResponseEntity<ObjectNode> create(HttpServletRequest request) throws IOException {
    StoredRoutingEntry stored =
        service.create(kind, service.parse(RequestBodies.rule(request), kind));
    return ResponseEntity.created(URI.create(kind.path() + "/" + stored.name()))
        .eTag(stored.etag())
        .body(view(stored));
  }

  @PutMapping(
      path = NAME,
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Replace an entry (If-Match required: its ETag, or *)")
  ResponseEntity<ObjectNode> replace(
      @PathVariable String name, IfMatch ifMatch, HttpServletRequest request) throws IOException {
    StoredRoutingEntry stored =
        service.replace(kind, name, service.parse(RequestBodies.rule(request), kind), ifMatch);
    return ResponseEntity.ok().eTag(stored.etag()).body(view(stored));
  }

  @DeleteMapping(NAME)
  @Operation(summary = "Delete an entry (If-Match required: its ETag, or *)")
  ResponseEntity<Void> delete(@PathVariable String name, IfMatch ifMatch) {
    service.delete(kind, name, ifMatch);
    return ResponseEntity.noContent().build();
  }

  @GetMapping(path = NAME + "/history", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "The changes of one entry, newest first: who, when, before and after")
  List<EntityHistory.Change<JsonNode>> history(
      @PathVariable String name,
      @Parameter(description = "at most this many, 1 to " + HistoryPageLimit.MAX)
          @RequestParam(defaultValue = "100")
          int limit) {
    return service.history(kind, name, HistoryPageLimit.check(limit));
  }

  @PostMapping(path = NAME + "/restore", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      summary = "Put an entry back as a revision of its history left it",
      description =
          "If-Match (its ETag, or *) when the entry exists, as for PUT; If-None-Match: * when it"
              + " was deleted. 428 without, 412 when it does not hold.")
  ResponseEntity<ObjectNode> restore(
      @PathVariable String name,
      @Parameter(description = "a revision from the entry's history", required = true) @RequestParam
          long revision,
      RestorePrecondition precondition) {
    StoredRoutingEntry stored = service.restore(kind, name, revision, precondition);
    return ResponseEntity.ok().eTag(stored.etag()).body(view(stored));
  }

  private static ObjectNode view(StoredRoutingEntry entry) {
    ObjectNode node = (ObjectNode) JsonMapper.shared().readTree(entry.json());
    node.put("source", "rest");
    node.put("version", entry.version());
    node.put("shadowedByFile", entry.shadowedByFile());
    return node;
  }
}
