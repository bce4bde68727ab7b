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
import io.tollgate.controlplane.limits.store.HistoryCursor;
import io.tollgate.controlplane.limits.validation.LimitRuleValidator;
import io.tollgate.controlplane.regex.EnvoyRegex;
import io.tollgate.controlplane.regex.GateRegexes;
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
 * enforce them (no unknown fields, no nulls, patterns, bounds, at most one path matcher). What JSON
 * Schema cannot say (the RE2 program size of {@code methods} and {@code pathRegex}, valid RE2,
 * CIDRs without host bits, integers written without a fraction) is in the descriptions: the schema
 * refuses nothing the API accepts, and accepts only those rules beyond what the API does
 * (schemathesis.toml says which operations that makes).
 */
@Component
class LimitsOpenApi implements OpenApiCustomizer {

  static final String PROBLEM = "Problem";
  private static final String STORED = "StoredLimitRule";
  private static final String PREFIX = "/api/v1/limits";

  /**
   * The resources managed like limit rules (ETags, 428/412, history, restore, 404 by name): the
   * same statuses and parameters.
   */
  private static final List<String> MANAGED =
      List.of(PREFIX, "/api/v1/access-rules", "/api/v1/routes", "/api/v1/upstreams");

  // Who may call at all (token, same-origin guard) and whether the database is up: any operation.
  // 406: an Accept the operation cannot produce (AdminSecurityConfig's problems are JSON anyway).
  private static final Set<Integer> EVERY_OPERATION = Set.of(400, 401, 403, 406, 503);
  private static final Set<Integer> WRITES = Set.of(404, 409, 412, 413, 415, 428);

  /**
   * The longest exact {@code path} Envoy takes: it is matched by a regex ({@link
   * GateRegexes#exactPath}) one RE2 instruction per character long, so the validator's program-size
   * check is exactly this length bound.
   */
  static final int MAX_EXACT_PATH_LENGTH = maxExactPathLength();

  @Override
  public void customise(OpenAPI api) {
    api.getComponents().addSchemas(PROBLEM, problem());
    Map<String, Schema> schemas = api.getComponents().getSchemas();
    schemas.put("LimitRule", rule());
    schemas.put("Match", match());
    schemas.put("Limit", limit());
    schemas.put(STORED, stored(rule()));
    // Null before a creation, after a deletion, and before an update whose revision was pruned.
    Schema<?> entry = schemas.get("RuleHistoryEntry");
    for (String side : List.of("before", "after")) {
      nullableRef(schemas, "RuleHistoryEntry", side, "LimitRule");
    }
    // Latency percentiles are kept per step for all requests only, not per path, IP or rule.
    nullableRef(schemas, "Point", "latencyMs", "Latency");
    nullableRef(schemas, "XdsNodeStatus", "lastNack", "Nack");
    nullableRef(schemas, "TypeStatus", "lastNack", "Nack");
    api.getPaths()
        .forEach(
            (path, item) ->
                item.readOperationsMap().forEach((method, op) -> document(path, method, op)));
  }

  /** {@code schema.property} is a {@code ref} or null (a plain $ref would say never null). */
  private static void nullableRef(
      Map<String, Schema> schemas, String schema, String property, String ref) {
    schemas
        .get(schema)
        .addProperty(
            property,
            new Schema<>()
                .oneOf(List.of(new Schema<>().$ref(ref), new Schema<>().types(Set.of("null")))));
  }

  private static int maxExactPathLength() {
    int length = 1;
    while (length < LimitRuleValidator.MAX_PATH_LENGTH
        && EnvoyRegex.problem(GateRegexes.exactPath("/" + "a".repeat(length)), "").isEmpty()) {
      length++;
    }
    return length;
  }

  private static void document(String path, PathItem.HttpMethod method, Operation op) {
    ApiResponses responses = op.getResponses();
    if (method == PathItem.HttpMethod.POST
        && MANAGED.contains(path)
        && responses.get("200") != null) {
      responses.put("201", responses.remove("200").description("Created"));
    }
    Schema<?> answer = answer(path, method);
    if (answer != null) {
      responses
          .get(method == PathItem.HttpMethod.POST && path.equals(PREFIX) ? "201" : "200")
          .content(
              new Content()
                  .addMediaType(
                      org.springframework.http.MediaType.APPLICATION_JSON_VALUE,
                      new MediaType().schema(answer)));
    }
    if (path.startsWith("/api/v1/xds/snapshot")) {
      // ResponseEntity.of: nothing published yet, an empty 404.
      responses.putIfAbsent("404", new ApiResponse().description("no snapshot published yet"));
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
    if (managed(path) && op.getParameters() != null) {
      op.getParameters()
          .forEach(
              p -> {
                switch (p.getName()) {
                  // <revision>:<rule name>, as HistoryCursor writes it.
                  case "cursor" -> p.getSchema().pattern(HistoryCursor.PATTERN);
                  case "limit" ->
                      p.getSchema()
                          .minimum(BigDecimal.ONE)
                          .maximum(BigDecimal.valueOf(HistoryPageLimit.MAX));
                  case "revision" -> p.getSchema().minimum(BigDecimal.ONE);
                  // PUT and DELETE answer 428 without it; a blank one is none.
                  case "If-Match" ->
                      p.required(
                              method == PathItem.HttpMethod.PUT
                                  || method == PathItem.HttpMethod.DELETE)
                          .getSchema()
                          .pattern("[!-~]");
                  default -> {}
                }
              });
    }
    if (method == PathItem.HttpMethod.DELETE) {
      responses.remove("200");
      responses.put("204", new ApiResponse().description("No Content"));
    }
    Set<Integer> statuses = new TreeSet<>(EVERY_OPERATION);
    if (managed(path)) {
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

  private static boolean managed(String path) {
    return MANAGED.stream().anyMatch(path::startsWith);
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

  /** What a successful limits operation answers (its controller builds the JSON by hand). */
  private static Schema<?> answer(String path, PathItem.HttpMethod method) {
    Schema<?> one = new Schema<>().$ref(STORED);
    if (path.equals(PREFIX)) {
      return method == PathItem.HttpMethod.POST
          ? one
          : new ObjectSchema()
              .addProperty("version", new IntegerSchema().format("int64"))
              .addProperty("rules", new ArraySchema().items(one))
              .required(List.of("version", "rules"));
    }
    if (path.equals(PREFIX + "/import")) {
      return new ObjectSchema()
          .addProperty("imported", new ArraySchema().items(one))
          .required(List.of("imported"));
    }
    boolean oneRule =
        path.equals(PREFIX + "/{name}")
            && (method == PathItem.HttpMethod.GET || method == PathItem.HttpMethod.PUT);
    return oneRule || path.equals(PREFIX + "/{name}/restore") ? one : null;
  }

  /**
   * A rule as the API answers it: every field with its default filled in, plus the read-only
   * source, version and status ({@link LimitRulesController#STATUS_DOC}).
   */
  private static Schema<?> stored(Schema<?> rule) {
    Schema<?> status =
        closed(new ObjectSchema())
            .addProperty("accepted", new BooleanSchema())
            .addProperty("message", new StringSchema())
            .addProperty("rejectedAt", new StringSchema().format("date-time"))
            .required(List.of("accepted"));
    return rule.addProperty("source", new StringSchema()._enum(List.of("rest", "file")))
        .addProperty("version", new IntegerSchema().format("int64"))
        .addProperty("status", status)
        .required(
            List.of(
                "name",
                "by",
                "limit",
                "mode",
                "enabled",
                "accuracy",
                "source",
                "version",
                "status"));
  }

  private static Schema<?> rule() {
    Schema<?> by =
        new ArraySchema()
            .items(
                new StringSchema()
                    .pattern("^(ip|path|method|header(-if-present)?:" + HEADER_NAME + ")$"))
            .maxItems(LimitRuleValidator.MAX_LIST_SIZE)
            .uniqueItems(true);
    // Envoy's quota buckets see the path only with its query string (LimitRuleValidator).
    Schema<?> approximateByPath =
        new ObjectSchema()
            .addProperty("accuracy", new StringSchema()._enum(List.of("approximate")))
            .addProperty(
                "by", new ArraySchema().contains(new StringSchema()._enum(List.of("path"))))
            .required(List.of("accuracy", "by"));
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
        // Absent optional fields take these defaults (LimitRule); null is refused.
        .addProperty(
            "mode", new StringSchema()._enum(List.of("enforce", "shadow"))._default("enforce"))
        .addProperty("enabled", new BooleanSchema()._default(true))
        .addProperty(
            "accuracy", new StringSchema()._enum(List.of("exact", "approximate"))._default("exact"))
        .addProperty(
            "algorithm",
            new StringSchema()
                ._enum(List.of("fixed_window", "sliding_window"))
                ._default("fixed_window")
                .description("how the window is counted"))
        .required(List.of("name", "limit"))
        .not(new Schema<>().anyOf(ruleConflicts(approximateByPath)));
  }

  /**
   * The combinations LimitRuleValidator refuses across fields (400 naming the field): a burst (a
   * token bucket) with a sliding window, with the approximate tier or with requests 0 (nothing to
   * refill), a sliding window in the approximate tier, and the approximate tier counted by path.
   */
  private static List<Schema> ruleConflicts(Schema<?> approximateByPath) {
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
        new ObjectSchema().addProperty("limit", blockingBurst).required(List.of("limit")),
        approximateByPath);
  }

  // RFC 9110 token in lower case, as LimitRuleValidator's HEADER_NAME.
  private static final String HEADER_NAME = "[a-z0-9!#$%&'*+.^_`|~-]{1,128}";
  // Printable ASCII without '#' (0x23) and '?' (0x3f).
  private static final String PATH_CHARS = "[!\"$->@-~]";
  private static final String RE2_SIZE =
      "; together they must compile to an RE2 program within Envoy's limit of "
          + EnvoyRegex.MAX_PROGRAM_SIZE
          + " instructions (re2.max_program_size.error_level)";

  private static Schema<?> match() {
    Schema<?> methods =
        new ArraySchema()
            .items(new StringSchema().pattern("^[A-Z][A-Z_-]{0,31}$"))
            .maxItems(LimitRuleValidator.MAX_LIST_SIZE)
            .uniqueItems(true)
            .description("upper-case HTTP methods" + RE2_SIZE);
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
            .items(
                new StringSchema()
                    .pattern(
                        "^([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)/[0-9]{1,3}$")
                    .description(
                        "an IPv4 or IPv6 range, address/prefix-length, without host bits"
                            + " (10.0.0.0/8, not 10.0.0.1/8)"))
            .maxItems(LimitRuleValidator.MAX_LIST_SIZE)
            .uniqueItems(true)
            .description("no two the same range");
    Schema<?> schema =
        closed(new ObjectSchema())
            .addProperty(
                "path",
                new StringSchema()
                    .pattern("^/" + PATH_CHARS + "*$")
                    .maxLength(MAX_EXACT_PATH_LENGTH))
            .addProperty(
                "pathPrefix",
                new StringSchema()
                    .pattern("^/" + PATH_CHARS + "*$")
                    .maxLength(LimitRuleValidator.MAX_PATH_LENGTH))
            .addProperty(
                "pathRegex",
                new StringSchema()
                    .minLength(1)
                    .maxLength(LimitRuleValidator.MAX_PATH_LENGTH)
                    .description(
                        "an RE2 regular expression the whole path must match; with an optional"
                            + " query string appended it must compile to an RE2 program within"
                            + " Envoy's limit of "
                            + EnvoyRegex.MAX_PROGRAM_SIZE
                            + " instructions"))
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
                .maximum(BigDecimal.valueOf(LimitRuleValidator.MAX_REQUESTS))
                .description(
                    "0 blocks every matching request; written without a fraction (5, not 5.0)"))
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
