package io.tollgate.controlplane.limits.rest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.LimitRuleJson;
import io.tollgate.controlplane.limits.RuleSet;
import io.tollgate.controlplane.limits.StoredRule;
import io.tollgate.controlplane.limits.referenceyaml.ReferenceYaml;
import io.tollgate.controlplane.limits.store.HistoryCursor;
import io.tollgate.controlplane.limits.store.HistoryPage;
import io.tollgate.controlplane.limits.store.IfMatch;
import io.tollgate.controlplane.limits.store.LimitRuleService;
import io.tollgate.controlplane.limits.store.LimitsProblem;
import io.tollgate.controlplane.limits.store.RestorePrecondition;
import io.tollgate.controlplane.limits.store.RuleHistory;
import io.tollgate.controlplane.limits.store.RuleHistoryEntry;
import io.tollgate.controlplane.limits.validation.LimitRuleValidator;
import io.tollgate.controlplane.xds.RuleQuarantine;
import io.tollgate.controlplane.xds.translate.RateLimitConfigs;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
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
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /api/v1/limits}: the limit rules. Bodies are read here (bounded, strictly parsed) rather
 * than bound by Spring, so every error names its field and an oversized body is refused unread.
 */
@RestController
@RequestMapping("/api/v1/limits")
@Tag(name = "limits", description = "Rate-limit rules, enforced by every Envoy within 2 s")
class LimitRulesController {

  static final MediaType YAML = MediaType.parseMediaType("application/yaml");

  private static final String HISTORY_PAGING =
      "Paged in the database: at most `limit` entries; when there are more, the response has"
          + " `Link: <...&cursor=...>; rel=\"next\"`, the URL of the next page. `before` is null"
          + " for an update whose previous revision was pruned (TOLLGATE_HISTORY_RETENTION).";
  private static final String LIMIT = "entries per page, 1 to " + HistoryPageLimit.MAX;
  private static final String CURSOR = "where to continue: from the previous page's Link header";

  // A rule's path segment, never one of the fixed sub-paths: so OPTIONS /export answers Allow: GET
  // and PUT /export is a 405, not a rule named "export" (a reserved name anyway).
  private static final String NAME = "/{name:(?!(?:export|history|import|status)$).+}";

  static final String STATUS_DOC =
      "Each rule carries read-only source, version and status: {\"accepted\": true}, or"
          + " {\"accepted\": false, \"message\": <Envoy's reason>, \"rejectedAt\": <time>} when"
          + " Envoy rejected this definition (NACK) and the rule is held out of the served"
          + " configuration so the other rules stay enforced; changing or deleting it releases it.";

  private final LimitRuleService service;
  private final RuleHistory history;
  private final LimitRuleJson json;
  private final RuleQuarantine quarantine;

  LimitRulesController(
      LimitRuleService service,
      RuleHistory history,
      LimitRuleJson json,
      RuleQuarantine quarantine) {
    this.service = service;
    this.history = history;
    this.json = json;
    this.quarantine = quarantine;
  }

  @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "All rules, with the rules version they belong to", description = STATUS_DOC)
  Map<String, Object> list() {
    RuleSet set = service.snapshot();
    return Map.of("version", set.version(), "rules", set.rules().stream().map(this::view).toList());
  }

  @GetMapping(path = NAME, produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      summary = "One rule; its ETag is what If-Match needs to change it",
      description = STATUS_DOC)
  ResponseEntity<ObjectNode> get(@PathVariable String name) {
    StoredRule rule = service.get(name).orElseThrow(() -> LimitsProblem.notFound(name));
    return ResponseEntity.ok().eTag(rule.etag()).body(view(rule));
  }

  // consumes: a body of another type is 415 (UnsupportedMediaTypeProblem), so a web page cannot
  // send one without a CORS preflight (text/plain, forms and multipart need none).
  @PostMapping(
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Create a rule")
  @RuleBody
  ResponseEntity<ObjectNode> create(HttpServletRequest request) throws IOException {
    StoredRule stored = service.create(readRule(request));
    return ResponseEntity.created(URI.create("/api/v1/limits/" + stored.rule().name()))
        .eTag(stored.etag())
        .body(view(stored));
  }

  @PutMapping(
      path = NAME,
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "Replace a rule (If-Match required: its ETag, or *)")
  @RuleBody
  ResponseEntity<ObjectNode> replace(
      @PathVariable String name, IfMatch ifMatch, HttpServletRequest request) throws IOException {
    StoredRule stored = service.replace(name, readRule(request), ifMatch);
    return ResponseEntity.ok().eTag(stored.etag()).body(view(stored));
  }

  /** The body of a create or replace: one rule, bounded and strictly parsed. */
  private LimitRule readRule(HttpServletRequest request) throws IOException {
    return json.parse(RequestBodies.rule(request));
  }

  /**
   * The OpenAPI request body of a create or replace: one rule as JSON (springdoc reads it through
   * Spring's merged annotations).
   */
  @Target(ElementType.METHOD)
  @Retention(RetentionPolicy.RUNTIME)
  @io.swagger.v3.oas.annotations.parameters.RequestBody(
      content =
          @Content(
              mediaType = "application/json",
              schema = @Schema(implementation = LimitRule.class)))
  @interface RuleBody {}

  @DeleteMapping(NAME)
  @Operation(summary = "Delete a rule (If-Match required: its ETag, or *)")
  ResponseEntity<Void> delete(@PathVariable String name, IfMatch ifMatch) {
    service.delete(name, ifMatch);
    return ResponseEntity.noContent().build();
  }

  @GetMapping(path = "/export", produces = "application/yaml")
  @Operation(
      summary = "The rate-limit service configuration of the enabled rules",
      description =
          "Reference envoyproxy/ratelimit YAML: exactly what the rate-limit services"
              + " receive over xDS. Disabled rules are not in it.")
  ResponseEntity<String> export() {
    String yaml = ReferenceYaml.write(RateLimitConfigs.of(service.snapshot().enabledRules()));
    return ResponseEntity.ok().contentType(YAML).body(yaml);
  }

  @PostMapping(
      path = "/import",
      consumes = "application/yaml",
      produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      summary = "Create or replace the rules a reference YAML file describes (all or nothing)",
      requestBody =
          @io.swagger.v3.oas.annotations.parameters.RequestBody(
              content =
                  @Content(mediaType = "application/yaml", schema = @Schema(type = "string"))))
  Map<String, Object> importRules(HttpServletRequest request) throws IOException {
    byte[] body = RequestBodies.read(request.getInputStream(), RequestBodies.MAX_IMPORT_BYTES);
    List<LimitRule> rules =
        RateLimitConfigs.rules(ReferenceYaml.read(body), LimitRuleValidator::validate);
    List<StoredRule> stored = service.importRules(rules);
    return Map.of("imported", stored.stream().map(this::view).toList());
  }

  @GetMapping(path = "/history", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      summary = "Every change, newest first: who, when, before and after",
      description = HISTORY_PAGING)
  ResponseEntity<List<RuleHistoryEntry>> history(
      @Parameter(description = LIMIT, schema = @Schema(type = "integer", defaultValue = "100"))
          @RequestParam(required = false)
          String limit,
      @Parameter(description = CURSOR) @RequestParam(required = false) String cursor,
      HttpServletRequest request) {
    int size = HistoryPageLimit.parse(limit);
    return paged(history.page(Optional.empty(), size, cursor(cursor)), size, request);
  }

  @GetMapping(path = NAME + "/history", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(summary = "The changes of one rule, newest first", description = HISTORY_PAGING)
  ResponseEntity<List<RuleHistoryEntry>> ruleHistory(
      @PathVariable String name,
      @Parameter(description = LIMIT, schema = @Schema(type = "integer", defaultValue = "100"))
          @RequestParam(required = false)
          String limit,
      @Parameter(description = CURSOR) @RequestParam(required = false) String cursor,
      HttpServletRequest request) {
    int size = HistoryPageLimit.parse(limit);
    return paged(history.page(Optional.of(name), size, cursor(cursor)), size, request);
  }

  @PostMapping(path = NAME + "/restore", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      summary = "Put a rule back as a revision of its history left it",
      description =
          "If-Match (its ETag, or *) is required when the rule exists, as for PUT;"
              + " If-None-Match: * when it was deleted. 428 without, 412 when it does not hold."
              + " A revision that did not create or update this rule: 404.")
  ResponseEntity<ObjectNode> restore(
      @PathVariable String name,
      @Parameter(description = "a revision from the rule's history", required = true) @RequestParam
          long revision,
      RestorePrecondition precondition) {
    StoredRule stored = service.restore(name, revision, precondition);
    return ResponseEntity.ok().eTag(stored.etag()).body(view(stored));
  }

  private static Optional<HistoryCursor> cursor(String cursor) {
    return Optional.ofNullable(cursor).map(HistoryCursor::parse);
  }

  private static ResponseEntity<List<RuleHistoryEntry>> paged(
      HistoryPage page, int limit, HttpServletRequest request) {
    ResponseEntity.BodyBuilder ok = ResponseEntity.ok();
    page.next()
        .ifPresent(
            next ->
                ok.header(
                    HttpHeaders.LINK,
                    "<"
                        + UriComponentsBuilder.fromPath(request.getRequestURI())
                            .queryParam("limit", limit)
                            .queryParam("cursor", next.toString())
                            .build()
                            .toUriString()
                        + ">; rel=\"next\""));
    return ok.body(page.entries());
  }

  private ObjectNode view(StoredRule stored) {
    ObjectNode node = json.tree(stored.rule());
    node.put("source", stored.source().name().toLowerCase(java.util.Locale.ROOT));
    node.put("version", stored.version());
    ObjectNode status = node.putObject("status");
    quarantine
        .rejection(stored.rule())
        .ifPresentOrElse(
            r ->
                status
                    .put("accepted", false)
                    .put("message", r.message())
                    .put("rejectedAt", r.at().toString()),
            () -> status.put("accepted", true));
    return node;
  }
}
