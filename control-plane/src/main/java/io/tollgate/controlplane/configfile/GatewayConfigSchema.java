package io.tollgate.controlplane.configfile;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import io.tollgate.controlplane.limits.RuleViolation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The structure of {@code tollgate.yaml} ({@value #RESOURCE}, also for editors): keys, types,
 * required parts, ranges and enumerations, checked before any meaning, so every structural error is
 * reported at once with its key, e.g. {@code routes[0].match.pathPrefix: null found, string
 * expected}.
 */
final class GatewayConfigSchema {

  static final String RESOURCE = "tollgate.schema.json";

  // Keywords whose error sits on the object but is about one of its keys.
  private static final Set<String> KEY_KEYWORDS = Set.of("additionalProperties", "required");

  private final JsonNode tree;
  private final Schema schema;

  GatewayConfigSchema() {
    try (InputStream in = GatewayConfigSchema.class.getResourceAsStream("/" + RESOURCE)) {
      tree = JsonMapper.shared().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(tree);
  }

  /** Every structural problem of a parsed document, as {@code <source>: <key>: <message>}. */
  List<String> problems(String source, JsonNode document) {
    return violations(document).stream().map(v -> source + ": " + v).toList();
  }

  /**
   * Every structural problem of one element of the top-level list {@code key} ({@code upstreams},
   * {@code routes}), checked by that list's item schema, each named relative to the element ({@code
   * match.pathPrefix}, empty for the element itself).
   */
  List<RuleViolation> entry(String key, JsonNode element) {
    String at = key + "[0]";
    ObjectNode document = JsonMapper.shared().createObjectNode();
    document.putArray(key).add(element);
    return violations(document).stream()
        .filter(v -> v.field().startsWith(at))
        .map(
            v ->
                new RuleViolation(
                    v.field().substring(at.length()).replaceFirst("^\\.", ""), v.message()))
        .toList();
  }

  private List<RuleViolation> violations(JsonNode document) {
    List<Error> errors = schema.validate(document);
    return errors.stream().map(e -> new RuleViolation(key(e), message(e))).toList();
  }

  private static String key(Error error) {
    NodePath at = error.getInstanceLocation();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < at.getNameCount(); i++) {
      Object element = at.getElement(i);
      if (element instanceof Integer index) {
        out.append('[').append(index).append(']');
      } else {
        out.append(out.length() == 0 ? "" : ".").append(element);
      }
    }
    if (KEY_KEYWORDS.contains(error.getKeyword()) && error.getProperty() != null) {
      out.append(out.length() == 0 ? "" : ".").append(error.getProperty());
    }
    return out.length() == 0 ? "document" : out.toString();
  }

  private String message(Error error) {
    return switch (error.getKeyword()) {
      case "additionalProperties" ->
          "unknown key (expected one of " + String.join(", ", knownKeys(error)) + ")";
      case "required" -> "is required";
      default -> {
        String message = error.getMessage();
        // networknt prefixes the instance location; the key is already said.
        int colon = message.startsWith("$") ? message.indexOf(": ") : -1;
        yield colon < 0 ? message : message.substring(colon + 2);
      }
    };
  }

  /** The keys the object whose {@code additionalProperties} failed declares, in schema order. */
  private List<String> knownKeys(Error error) {
    String location = error.getSchemaLocation().toString();
    String fragment = location.substring(location.indexOf('#') + 1);
    String object = fragment.substring(0, fragment.lastIndexOf('/'));
    return tree.at(object).path("properties").propertyNames().stream().toList();
  }
}
