package io.tollgate.controlplane.limits.rest;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MapSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.tollgate.controlplane.limits.validation.LimitRuleValidator;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Makes {@code /v3/api-docs} the contract the limits API keeps: every status an operation answers
 * (problems as {@code application/problem+json}), {@code 201} and {@code 204} where they are the
 * answer, and the rule schema's constraints as {@link LimitRuleValidator} and {@link LimitRuleJson}
 * enforce them (no unknown fields, no nulls, patterns, bounds, at most one path matcher). Where the
 * real bound cannot be said in JSON Schema (Envoy's regex program size, valid RE2, CIDRs without
 * host bits) the schema is narrower than what is accepted ({@code path}, {@code pathRegex}, {@code
 * methods}, {@code sourceCidrs}): a client keeping to it is never refused.
 */
@Component
class LimitsOpenApi implements OpenApiCustomizer {

  static final String PROBLEM = "Problem";
  private static final String PREFIX = "/api/v1/limits";
  // Who may call at all (token, same-origin guard) and whether the database is up: any operation.
  private static final Set<Integer> EVERY_OPERATION = Set.of(400, 401, 403, 503);
  private static final Set<Integer> WRITES = Set.of(404, 409, 412, 413, 415, 428);

  @Override
  public void customise(OpenAPI api) {
    api.getComponents().addSchemas(PROBLEM, problem());
    Map<String, Schema> schemas = api.getComponents().getSchemas();
    schemas.put("LimitRule", rule());
    schemas.put("Match", match());
    schemas.put("Limit", limit());
    // Null before a creation, after a deletion, and before an update whose revision was pruned.
    Schema<?> entry = schemas.get("RuleHistoryEntry");
    for (String side : List.of("before", "after")) {
      entry.addProperty(
          side,
          new Schema<>()
              .oneOf(
                  List.of(new Schema<>().$ref("LimitRule"), new Schema<>().types(Set.of("null")))));
    }
    api.getPaths()
        .forEach(
            (path, item) ->
                item.readOperationsMap().forEach((method, op) -> document(path, method, op)));
  }

  private static void document(String path, PathItem.HttpMethod method, Operation op) {
    ApiResponses responses = op.getResponses();
    if (method == PathItem.HttpMethod.POST && path.equals(PREFIX)) {
      responses.put("201", responses.remove("200").description("Created"));
    }
    if (path.equals(PREFIX + "/export")) {
      // YAML, which a client reads as a document (a mapping), not as one string.
      responses
          .get("200")
          .content(
              new Content()
                  .addMediaType(
                      "application/yaml",
                      new MediaType().schema(new ObjectSchema().description("reference YAML"))));
    }
    if (path.equals(PREFIX + "/import")) {
      op.getRequestBody()
          .getContent()
          .get("application/yaml")
          .schema(
              new ObjectSchema().description("reference YAML (a mapping: domain, descriptors)"));
    }
    if (op.getRequestBody() != null) {
      // A missing body is no rule (415: no Content-Type).
      op.getRequestBody().required(true);
    }
    if (path.startsWith(PREFIX) && op.getParameters() != null) {
      op.getParameters()
          .forEach(
              p -> {
                switch (p.getName()) {
                  // An empty cursor is no cursor of a previous page.
                  case "cursor" -> p.getSchema().minLength(1);
                  case "limit" ->
                      p.getSchema()
                          .minimum(BigDecimal.ONE)
                          .maximum(BigDecimal.valueOf(LimitRulesController.MAX_HISTORY_PAGE));
                  case "revision" -> p.getSchema().minimum(BigDecimal.ONE);
                  // PUT and DELETE answer 428 without it.
                  case "If-Match" ->
                      p.required(
                          method == PathItem.HttpMethod.PUT
                              || method == PathItem.HttpMethod.DELETE);
                  default -> {}
                }
              });
    }
    if (method == PathItem.HttpMethod.DELETE) {
      responses.remove("200");
      responses.put("204", new ApiResponse().description("No Content"));
    }
    Set<Integer> statuses = new TreeSet<>(EVERY_OPERATION);
    if (path.startsWith(PREFIX)) {
      statuses.add(404);
      if (method != PathItem.HttpMethod.GET) {
        statuses.addAll(WRITES);
      }
    }
    for (int status : statuses) {
      responses.putIfAbsent(
          Integer.toString(status),
          new ApiResponse()
              .description(HttpStatus.valueOf(status).getReasonPhrase())
              .content(
                  new Content()
                      .addMediaType(
                          org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                          new MediaType().schema(new Schema<>().$ref(PROBLEM)))));
    }
  }

  /** RFC 9457, with the field at fault and every error. */
  private static Schema<?> problem() {
    Schema<?> error =
        new ObjectSchema()
            .addProperty("field", new StringSchema())
            .addProperty("message", new StringSchema());
    return new ObjectSchema()
        .addProperty("type", new StringSchema())
        .addProperty("title", new StringSchema())
        .addProperty("status", new IntegerSchema())
        .addProperty("detail", new StringSchema())
        .addProperty("instance", new StringSchema())
        .addProperty("field", new StringSchema().description("the first field at fault"))
        .addProperty("errors", new ArraySchema().items(error))
        .required(List.of("status", "title"));
  }

  private static Schema<?> rule() {
    Schema<?> by =
        new ArraySchema()
            .items(
                new StringSchema()
                    .pattern("^(ip|path|method|header(-if-present)?:" + HEADER_NAME + ")$"))
            .maxItems(LimitRuleValidator.MAX_LIST_SIZE)
            .uniqueItems(true);
    return closed(new ObjectSchema())
        .addProperty(
            "name",
            new StringSchema()
                .pattern("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
                .not(
                    new StringSchema()
                        ._enum(List.copyOf(new TreeSet<>(LimitRuleValidator.RESERVED_NAMES)))))
        .addProperty("match", new Schema<>().$ref("Match"))
        .addProperty("by", by)
        .addProperty("limit", new Schema<>().$ref("Limit"))
        .addProperty("mode", new StringSchema()._enum(List.of("enforce", "shadow")))
        .addProperty("enabled", new BooleanSchema())
        .addProperty("accuracy", new StringSchema()._enum(List.of("exact", "approximate")))
        .addProperty(
            "algorithm",
            new StringSchema()
                ._enum(List.of("fixed_window", "sliding_window"))
                .description("how the window is counted (default fixed_window)"))
        .required(List.of("name", "limit"))
        .not(new Schema<>().anyOf(ruleConflicts()));
  }

  /**
   * The combinations LimitRuleValidator refuses across fields (400 naming the field): a burst (a
   * token bucket) with a sliding window, with the approximate tier or with requests 0 (nothing to
   * refill), and a sliding window in the approximate tier.
   */
  private static List<Schema> ruleConflicts() {
    Schema<?> withBurst = new ObjectSchema().required(List.of("burst"));
    Schema<?> sliding = new StringSchema()._enum(List.of("sliding_window"));
    Schema<?> approximate = new StringSchema()._enum(List.of("approximate"));
    Schema<?> blockingBurst =
        new ObjectSchema()
            .addProperty("requests", new IntegerSchema().maximum(BigDecimal.ZERO))
            .required(List.of("requests", "burst"));
    return List.of(
        new ObjectSchema()
            .addProperty("limit", withBurst)
            .addProperty("algorithm", sliding)
            .required(List.of("limit", "algorithm")),
        new ObjectSchema()
            .addProperty("limit", withBurst)
            .addProperty("accuracy", approximate)
            .required(List.of("limit", "accuracy")),
        new ObjectSchema()
            .addProperty("algorithm", sliding)
            .addProperty("accuracy", approximate)
            .required(List.of("algorithm", "accuracy")),
        new ObjectSchema().addProperty("limit", blockingBurst).required(List.of("limit")));
  }

  // RFC 9110 token in lower case, as LimitRuleValidator's HEADER_NAME.
  private static final String HEADER_NAME = "[a-z0-9!#$%&'*+.^_`|~-]{1,128}";
  // Printable ASCII without '?' and '#'.
  private static final String PATH_CHARS = "[!\"$-&(-/0-9:-~]";

  private static Schema<?> match() {
    Schema<?> methods =
        new ArraySchema()
            .items(new StringSchema().pattern("^[A-Z]{1,10}$"))
            .maxItems(4)
            .uniqueItems(true);
    Schema<?> headers =
        new MapSchema()
            .additionalProperties(
                new StringSchema()
                    .minLength(1)
                    .maxLength(LimitRuleValidator.MAX_HEADER_VALUE_LENGTH)
                    .pattern("^[^\\x00-\\x1f\\x7f]+$"))
            .maxProperties(LimitRuleValidator.MAX_LIST_SIZE);
    headers.setPropertyNames(new StringSchema().pattern("^" + HEADER_NAME + "$"));
    Schema<?> cidrs =
        new ArraySchema()
            .items(new StringSchema().pattern("^10\\.0\\.0\\.[0-9]{1,2}/32$"))
            .maxItems(LimitRuleValidator.MAX_LIST_SIZE)
            .uniqueItems(true);
    Schema<?> schema =
        closed(new ObjectSchema())
            .addProperty("path", new StringSchema().pattern("^/" + PATH_CHARS + "{0,40}$"))
            .addProperty(
                "pathPrefix",
                new StringSchema()
                    .pattern("^/" + PATH_CHARS + "*$")
                    .maxLength(LimitRuleValidator.MAX_PATH_LENGTH))
            .addProperty("pathRegex", new StringSchema().pattern("^/[a-z0-9/]{0,32}(\\.\\*)?$"))
            .addProperty("methods", methods)
            .addProperty("headers", headers)
            .addProperty("sourceCidrs", cidrs);
    List<Schema> pairs = new ArrayList<>();
    List<String> matchers = List.of("path", "pathPrefix", "pathRegex");
    for (int i = 0; i < matchers.size(); i++) {
      for (int j = i + 1; j < matchers.size(); j++) {
        pairs.add(new Schema<>().required(List.of(matchers.get(i), matchers.get(j))));
      }
    }
    schema.not(new Schema<>().anyOf(pairs));
    return schema.description("at most one of path, pathPrefix, pathRegex; none: every path");
  }

  private static Schema<?> limit() {
    return closed(new ObjectSchema())
        .addProperty(
            "requests",
            new IntegerSchema()
                .format("int64")
                .minimum(BigDecimal.ZERO)
                .maximum(BigDecimal.valueOf(LimitRuleValidator.MAX_REQUESTS)))
        .addProperty("per", new StringSchema()._enum(List.of("second", "minute", "hour", "day")))
        .addProperty(
            "burst",
            new IntegerSchema()
                .format("int64")
                .minimum(BigDecimal.ZERO)
                .maximum(BigDecimal.valueOf(LimitRuleValidator.MAX_BURST))
                .description(
                    "a token bucket of requests + burst tokens, refilled at requests per `per`:"
                        + " an idle client may send requests + burst at once, then the rate"))
        .required(List.of("requests", "per"));
  }

  private static Schema<?> closed(Schema<?> schema) {
    schema.setAdditionalProperties(false);
    return schema;
  }
}
