package io.tollgate.controlplane.access.rest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tollgate.controlplane.access.AccessRule;
import io.tollgate.controlplane.access.StoredAccessRule;
import io.tollgate.controlplane.access.store.AccessHistoryEntry;
import io.tollgate.controlplane.access.store.AccessRuleService;
import io.tollgate.controlplane.limits.LimitRuleJson;
import io.tollgate.controlplane.limits.rest.HistoryPageLimit;
import io.tollgate.controlplane.limits.rest.RequestBodies;
import io.tollgate.controlplane.limits.store.IfMatch;
import io.tollgate.controlplane.limits.store.LimitsProblem;
import io.tollgate.controlplane.limits.store.RestorePrecondition;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /api/v1/access-rules}: the allow and deny lists. Bodies are read as the limit rules' are
 * (bounded, strictly parsed, every error naming its field); problems answer as theirs do ({@code
 * LimitsProblemHandler}). Entries the config file declares are listed, read-only.
 */
@RestController
@RequestMapping("/api/v1/access-rules")
@Tag(
    name = "access-rules",
    description = "Allow and deny lists, enforced by every Envoy before any rate limit")
class AccessRulesController {

  private static final String NAME = "/{name:(?!history$).+}";
  private static final String SEMANTICS =
      "A request matching an enabled deny entry gets 403; when enabled allow entries exist, a"
          + " request matching none of them gets 403 too. The 403 body names the entry. Each entry"
          + " carries read-only source (rest or file) and version.";

  private final AccessRuleService service;
  private final LimitRuleJson json;

  AccessRulesController(AccessRuleService service, LimitRuleJson json) {
    this.service = service;
    this.json = json;
  }

  @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "All entries in force, by name", description = SEMANTICS)
  Map<String, Object> list() {
    return Map.of("rules", service.list().stream().map(this::view).toList());
  }

  @GetMapping(path = NAME, produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "One entry; its ETag is what If-Match needs to change it")
  ResponseEntity<ObjectNode> get(@PathVariable String name) {
    StoredAccessRule rule = service.get(name).orElseThrow(() -> notFound(name));
    return ResponseEntity.ok().eTag(rule.etag()).body(view(rule));
  }

  @PostMapping(
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      summary = "Create an entry",
      description = SEMANTICS,
      responses = {
        @ApiResponse(responseCode = "201", description = "Created"),
        @ApiResponse(
            responseCode = "400",
            description = "Invalid entry, naming the field",
            content = @Content(mediaType = "application/problem+json")),
        @ApiResponse(
            responseCode = "409",
            description = "The name exists, or the config file declares it",
            content = @Content(mediaType = "application/problem+json"))
      })
  @EntryBody
  ResponseEntity<ObjectNode> create(HttpServletRequest request) throws IOException {
    AccessRule rule = service.parse(RequestBodies.rule(request));
    StoredAccessRule stored = service.create(rule);
    return ResponseEntity.created(URI.create("/api/v1/access-rules/" + stored.rule().name()))
        .eTag(stored.etag())
        .body(view(stored));
  }

  @PutMapping(
      path = NAME,
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Replace an entry (If-Match required: its ETag, or *)")
  @EntryBody
  ResponseEntity<ObjectNode> replace(
      @PathVariable String name, IfMatch ifMatch, HttpServletRequest request) throws IOException {
    AccessRule rule = service.parse(RequestBodies.rule(request));
    StoredAccessRule stored = service.replace(name, rule, ifMatch);
    return ResponseEntity.ok().eTag(stored.etag()).body(view(stored));
  }

  /**
   * The OpenAPI request body of a create or replace: one entry as JSON (springdoc reads it through
   * Spring's merged annotations).
   */
  @Target(ElementType.METHOD)
  @Retention(RetentionPolicy.RUNTIME)
  @io.swagger.v3.oas.annotations.parameters.RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = AccessRule.class)))
  @interface EntryBody {}

  @DeleteMapping(NAME)
  @Operation(
      summary = "Delete an entry (If-Match required: its ETag, or *)",
      responses = {
        @ApiResponse(responseCode = "204", description = "Deleted"),
        @ApiResponse(
            responseCode = "412",
            description = "The ETag is stale",
            content = @Content(mediaType = "application/problem+json")),
        @ApiResponse(
            responseCode = "428",
            description = "If-Match is missing",
            content = @Content(mediaType = "application/problem+json"))
      })
  ResponseEntity<Void> delete(@PathVariable String name, IfMatch ifMatch) {
    service.delete(name, ifMatch);
    return ResponseEntity.noContent().build();
  }

  @GetMapping(path = NAME + "/history", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "The changes of one REST entry, newest first: who, when, before and after")
  List<AccessHistoryEntry> history(
      @PathVariable String name,
      @Parameter(description = "at most this many, 1 to " + HistoryPageLimit.MAX)
          @RequestParam(defaultValue = "100")
          int limit) {
    return service.history(name, HistoryPageLimit.check(limit));
  }

  @PostMapping(path = NAME + "/restore", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      summary = "Put an entry back as a revision of its history left it",
      description =
          "If-Match (its ETag, or *) is required when the entry exists, as for PUT;"
              + " If-None-Match: * when it was deleted. 428 without, 412 when it does not hold.")
  ResponseEntity<ObjectNode> restore(
      @PathVariable String name,
      @Parameter(description = "a revision from the entry's history", required = true) @RequestParam
          long revision,
      RestorePrecondition precondition) {
    StoredAccessRule stored = service.restore(name, revision, precondition);
    return ResponseEntity.ok().eTag(stored.etag()).body(view(stored));
  }

  private static LimitsProblem notFound(String name) {
    return new LimitsProblem(HttpStatus.NOT_FOUND, "name", "no access entry named '" + name + "'");
  }

  private ObjectNode view(StoredAccessRule rule) {
    ObjectNode node = json.tree(rule.rule());
    node.put("source", rule.source().column());
    node.put("version", rule.version());
    return node;
  }
}
