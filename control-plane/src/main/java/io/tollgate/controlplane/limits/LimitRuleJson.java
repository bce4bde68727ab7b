package io.tollgate.controlplane.limits;

import io.tollgate.controlplane.limits.validation.LimitRuleValidator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonPointer;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Strict JSON reading and writing of {@link LimitRule}s, by Jackson binding into the records.
 * Reading rejects unknown fields, duplicate keys, trailing data, explicit nulls, scalars of another
 * type ({@code "per": 1}, {@code "requests": "5"}, fractions) and enum values other than their
 * documented lower-case names, and names the field of each problem. The read-only fields a GET adds
 * ({@code source}, {@code version}, {@code status}) are tolerated and ignored, so what a GET
 * returns can be edited and PUT back.
 */
@Component
public class LimitRuleJson {

  private final JsonMapper mapper =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          // No scalar of one type read as another: "name": 5 is not "5", "enabled": 1 not true.
          .withCoercionConfigDefaults(
              c -> {
                for (CoercionInputShape shape :
                    List.of(
                        CoercionInputShape.Integer,
                        CoercionInputShape.Float,
                        CoercionInputShape.Boolean,
                        CoercionInputShape.String,
                        CoercionInputShape.EmptyString,
                        CoercionInputShape.EmptyArray,
                        CoercionInputShape.EmptyObject)) {
                  c.setCoercion(shape, CoercionAction.Fail);
                }
                c.setAcceptBlankAsEmpty(false);
              })
          .build();

  /**
   * Parses one rule from a request body; does not validate it (see {@link LimitRuleValidator}).
   *
   * @throws InvalidRuleException naming the field when the JSON cannot be a rule
   */
  public LimitRule parse(byte[] body) {
    return parse(body, LimitRule.class, "a limit rule");
  }

  /**
   * Parses one {@code type} from a request body as strictly as a limit rule (other models, such as
   * access rules, share these rules of reading); does not validate it.
   *
   * @param what the model's name in messages ("a limit rule")
   * @throws InvalidRuleException naming the field when the JSON cannot be a {@code type}
   */
  public <T> T parse(byte[] body, Class<T> type, String what) {
    JsonNode tree;
    try {
      tree = mapper.readTree(body);
    } catch (JacksonException e) {
      throw new InvalidRuleException("", "malformed JSON: " + e.getOriginalMessage());
    }
    if (tree == null || !tree.isObject()) {
      throw new InvalidRuleException("", "the body must be a JSON object (" + what + ")");
    }
    List<RuleViolation> literals = badLiterals(body);
    if (!literals.isEmpty()) {
      throw new InvalidRuleException(literals);
    }
    try {
      return mapper.treeToValue(tree, type);
    } catch (JacksonException e) {
      throw new InvalidRuleException(field(e), describe(e));
    }
  }

  /**
   * Reads one rule from an already-parsed document node (a mapping of {@code tollgate.yaml}), as
   * strictly as {@link #parse(byte[])} (it is written as JSON and parsed); does not validate it.
   *
   * @throws InvalidRuleException naming the field when the node cannot be a rule
   */
  public LimitRule fromValue(Object node) {
    return fromValue(node, LimitRule.class, "a limit rule");
  }

  /** {@link #fromValue(Object)} for another model, as {@link #parse(byte[], Class, String)}. */
  public <T> T fromValue(Object node, Class<T> type, String what) {
    if (!(node instanceof Map<?, ?>)) {
      throw new InvalidRuleException("", "must be a mapping (" + what + ")");
    }
    return parse(mapper.writeValueAsBytes(node), type, what);
  }

  /**
   * Every explicit null and every {@code -0}, with its field. Absent means the default, but null is
   * a mistake ({@code "pathPrefix": null} must not widen a rule to every path), and {@code -0}
   * reads as 0, a block. Jackson's {@code Nulls.FAIL} cannot tell null from absent for a record's
   * creator, and a tree has lost the minus sign, so the tokens are scanned.
   */
  private List<RuleViolation> badLiterals(byte[] body) {
    List<RuleViolation> out = new ArrayList<>();
    try (JsonParser p = mapper.createParser(body)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.VALUE_NULL) {
          out.add(
              new RuleViolation(
                  field(p.streamReadContext().pathAsPointer()),
                  "must not be null (leave the field out for its default)"));
        } else if (t == JsonToken.VALUE_NUMBER_INT && p.getString().equals("-0")) {
          out.add(
              new RuleViolation(
                  field(p.streamReadContext().pathAsPointer()),
                  "-0 is not a count: write 0 to block"));
        }
      }
    }
    return out;
  }

  private static String field(JsonPointer pointer) {
    StringBuilder out = new StringBuilder();
    for (JsonPointer at = pointer; !at.matches(); at = at.tail()) {
      if (at.mayMatchElement()) {
        out.append('[').append(at.getMatchingIndex()).append(']');
      } else {
        out.append(out.length() == 0 ? "" : ".").append(at.getMatchingProperty());
      }
    }
    return out.toString();
  }

  /** The canonical JSON of a rule, as stored and as returned. */
  public String write(LimitRule rule) {
    return writeValue(rule);
  }

  /** The canonical JSON of any model this class reads. */
  public String writeValue(Object model) {
    return mapper.writeValueAsString(model);
  }

  /** The JSON tree of a rule, for responses that add read-only fields. */
  public ObjectNode tree(Object rule) {
    return mapper.valueToTree(rule);
  }

  /** Reads JSON this class wrote (from the database). */
  public LimitRule read(String json) {
    return read(json, LimitRule.class);
  }

  /** Reads JSON of another model this class wrote (from the database). */
  public <T> T read(String json, Class<T> type) {
    return mapper.readValue(json, type);
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
