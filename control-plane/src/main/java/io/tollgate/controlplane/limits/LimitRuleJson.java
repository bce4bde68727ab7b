package io.tollgate.controlplane.limits;

import io.tollgate.controlplane.limits.validation.LimitRuleValidator;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Strict JSON reading and writing of {@link LimitRule}s. Reading rejects unknown fields, duplicate
 * keys, trailing data, numbers given as strings or fractions, and names the field of each problem;
 * the read-only fields a GET adds ({@code source}, {@code version}, {@code status}) are tolerated
 * and ignored, so what a GET returns can be edited and PUT back.
 */
@Component
public class LimitRuleJson {

  /** Fields the API reports but a client cannot set. */
  static final List<String> READ_ONLY_FIELDS = List.of("source", "version", "status");

  private final JsonMapper mapper =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  /**
   * Parses one rule from a request body; does not validate it (see {@link LimitRuleValidator}).
   *
   * @throws InvalidRuleException naming the field when the JSON cannot be a rule
   */
  public LimitRule parse(byte[] body) {
    JsonNode tree;
    try {
      tree = mapper.readTree(body);
    } catch (JacksonException e) {
      throw new InvalidRuleException("", "malformed JSON: " + e.getOriginalMessage());
    }
    if (tree == null || !tree.isObject()) {
      throw new InvalidRuleException("", "the body must be a JSON object (a limit rule)");
    }
    READ_ONLY_FIELDS.forEach(((ObjectNode) tree)::remove);
    return convert(tree);
  }

  /**
   * Reads one rule from an already-parsed document node (a YAML mapping of {@code tollgate.yaml}),
   * as strictly as {@link #parse(byte[])}; does not validate it.
   *
   * @throws InvalidRuleException naming the field when the node cannot be a rule
   */
  public LimitRule fromValue(Object node) {
    JsonNode tree;
    try {
      tree = mapper.valueToTree(node);
    } catch (JacksonException e) {
      throw new InvalidRuleException("", "cannot be read as a rule: " + e.getOriginalMessage());
    }
    if (tree == null || !tree.isObject()) {
      throw new InvalidRuleException("", "must be a mapping (a limit rule)");
    }
    return convert(tree);
  }

  private LimitRule convert(JsonNode tree) {
    try {
      return mapper.treeToValue(tree, LimitRule.class);
    } catch (JacksonException e) {
      throw new InvalidRuleException(field(e), describe(e));
    }
  }

  /** The canonical JSON of a rule, as stored and as returned. */
  public String write(LimitRule rule) {
    return mapper.writeValueAsString(rule);
  }

  /** The JSON tree of a rule, for responses that add read-only fields. */
  public ObjectNode tree(LimitRule rule) {
    return mapper.valueToTree(rule);
  }

  /** Reads JSON this class wrote (from the database). */
  public LimitRule read(String json) {
    return mapper.readValue(json, LimitRule.class);
  }

  private static String field(JacksonException e) {
    StringBuilder out = new StringBuilder();
    for (JacksonException.Reference ref : e.getPath()) {
      if (ref.getPropertyName() != null) {
        out.append(out.length() == 0 ? "" : ".").append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  private static String describe(JacksonException e) {
    if (e instanceof UnrecognizedPropertyException u) {
      return "unknown field '"
          + u.getPropertyName()
          + "'; known fields: "
          + u.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
    }
    if (e instanceof InvalidFormatException f && f.getTargetType().isEnum()) {
      return "unknown value '"
          + f.getValue()
          + "'; one of "
          + Arrays.stream(f.getTargetType().getEnumConstants())
              .map(c -> ((Enum<?>) c).name().toLowerCase(java.util.Locale.ROOT))
              .collect(Collectors.joining(", "));
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      return "wrong type: expected " + expected(m.getTargetType());
    }
    if (e instanceof StreamReadException) {
      return "out of range or malformed: " + e.getOriginalMessage();
    }
    return e.getOriginalMessage();
  }

  private static String expected(Class<?> type) {
    if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class) {
      return "an integer";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (java.util.Collection.class.isAssignableFrom(type)) {
      return "an array";
    }
    if (type.isEnum()) {
      return "one of "
          + Arrays.stream(type.getEnumConstants())
              .map(c -> ((Enum<?>) c).name().toLowerCase(java.util.Locale.ROOT))
              .collect(Collectors.joining(", "));
    }
    return "an object";
  }
}
