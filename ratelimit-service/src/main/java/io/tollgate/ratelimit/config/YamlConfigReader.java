package io.tollgate.ratelimit.config;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads one configuration file in the reference's YAML format, in the reference's three steps and
 * with its classes of error: the YAML must parse ({@code error loading config file: ...}); every
 * mapping key at any depth must be a known key of the format ({@code config error, unknown key
 * '...'}), every list must hold mappings and every leaf must be a string, integer, boolean or null;
 * then each field must have its type ({@code error loading config file: line N: ...}). Semantic
 * checks (empty domain, duplicate keys, units, replaces) are {@link ConfigCompiler}'s.
 */
public final class YamlConfigReader {

  /** The reference's valid keys, plus {@code algorithm}, Tollgate's sliding-window opt-in. */
  static final Set<String> VALID_KEYS =
      Set.of(
          "domain",
          "key",
          "value",
          "descriptors",
          "rate_limit",
          "unit",
          "requests_per_unit",
          "unlimited",
          "shadow_mode",
          "quota_mode",
          "name",
          "replaces",
          "detailed_metric",
          "value_to_metric",
          "share_threshold",
          "metadata",
          "algorithm");

  private static final long MAX_UINT32 = 0xFFFF_FFFFL;

  /** Parses {@code content}; {@code source} names the file in every error. */
  public ConfigDocument read(String source, String content) {
    Node root = parse(source, content);
    if (root != null) {
      validateKeys(source, root);
    }
    return new Typed(source).document(root);
  }

  private static Node parse(String source, String content) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(50);
    Yaml yaml = new Yaml(new SafeConstructor(options));
    Node root;
    try {
      root = yaml.compose(new StringReader(content));
    } catch (MarkedYAMLException e) {
      throw loadError(source, yamlMessage(e));
    } catch (YAMLException e) {
      throw loadError(source, e.getMessage());
    }
    if (root != null && !(root instanceof MappingNode) && !isNull(root)) {
      throw loadError(
          source,
          "line " + line(root) + ": cannot unmarshal " + describe(root) + " into a mapping");
    }
    return isNull(root) ? null : root;
  }

  private static String yamlMessage(MarkedYAMLException e) {
    StringBuilder b = new StringBuilder();
    if (e.getProblemMark() != null) {
      b.append("line ").append(e.getProblemMark().getLine() + 1).append(": ");
    }
    b.append(e.getProblem() == null ? e.getMessage() : e.getProblem());
    return b.toString();
  }

  /** The reference's {@code validateYamlKeys}: a structural walk before any typing. */
  private static void validateKeys(String source, Node node) {
    if (!(node instanceof MappingNode mapping)) {
      return;
    }
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode scalarKey) || !Tag.STR.equals(keyNode.getTag())) {
        throw new ConfigException(
            source, "config error, key is not of type string: " + goValue(keyNode));
      }
      String key = scalarKey.getValue();
      if (!VALID_KEYS.contains(key)) {
        throw new ConfigException(source, "config error, unknown key '" + key + "'");
      }
      Node value = tuple.getValueNode();
      if ("metadata".equals(key)) {
        // Free-form: its keys are the operator's, not the format's.
        continue;
      }
      if (value instanceof SequenceNode seq) {
        for (Node element : seq.getValue()) {
          if (!(element instanceof MappingNode)) {
            throw new ConfigException(
                source,
                "config error, yaml file contains list of type other than map: "
                    + goValue(element));
          }
          validateKeys(source, element);
        }
      } else if (value instanceof MappingNode) {
        validateKeys(source, value);
      } else if (value instanceof ScalarNode scalar && !isLeafType(scalar)) {
        throw new ConfigException(source, "error checking config");
      }
    }
  }

  private static boolean isLeafType(ScalarNode scalar) {
    Tag tag = scalar.getTag();
    return Tag.STR.equals(tag)
        || Tag.INT.equals(tag)
        || Tag.BOOL.equals(tag)
        || Tag.NULL.equals(tag);
  }

  /** How Go's {@code %v} prints a YAML value, for the reference's messages. */
  private static String goValue(Node node) {
    if (node instanceof ScalarNode s) {
      return s.getValue();
    }
    if (node instanceof SequenceNode seq) {
      return seq.getValue().stream()
          .map(YamlConfigReader::goValue)
          .collect(Collectors.joining(" ", "[", "]"));
    }
    if (node instanceof MappingNode m) {
      return m.getValue().stream()
          .map(t -> goValue(t.getKeyNode()) + ":" + goValue(t.getValueNode()))
          .collect(Collectors.joining(" ", "map[", "]"));
    }
    return String.valueOf(node);
  }

  private static boolean isNull(Node node) {
    return node == null || (node instanceof ScalarNode && Tag.NULL.equals(node.getTag()));
  }

  private static int line(Node node) {
    return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  private static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "!!map";
    }
    if (node instanceof SequenceNode) {
      return "!!seq";
    }
    ScalarNode s = (ScalarNode) node;
    return "!!" + shortTag(s.getTag()) + " `" + s.getValue() + "`";
  }

  private static String shortTag(Tag tag) {
    String value = tag.getValue();
    int colon = value.lastIndexOf(':');
    return colon >= 0 ? value.substring(colon + 1) : value;
  }

  private static ConfigException loadError(String source, String detail) {
    return new ConfigException(source, "error loading config file: " + detail);
  }

  /** The typed step, the reference's second {@code yaml.Unmarshal} into its structs. */
  private static final class Typed {
    private final String source;

    Typed(String source) {
      this.source = source;
    }

    ConfigDocument document(Node root) {
      String domain = "";
      List<DescriptorSpec> descriptors = List.of();
      if (root instanceof MappingNode mapping) {
        for (NodeTuple t : mapping.getValue()) {
          String key = ((ScalarNode) t.getKeyNode()).getValue();
          switch (key) {
            case "domain" -> domain = string(key, t.getValueNode());
            case "descriptors" -> descriptors = descriptors(key, t.getValueNode());
            default -> {
              // Other known keys at the top level are ignored, as the reference ignores them.
            }
          }
        }
      }
      return new ConfigDocument(source, domain, descriptors);
    }

    private List<DescriptorSpec> descriptors(String key, Node node) {
      if (isNull(node)) {
        return List.of();
      }
      if (!(node instanceof SequenceNode seq)) {
        throw typeError(key, node, "a list of descriptors");
      }
      List<DescriptorSpec> out = new ArrayList<>(seq.getValue().size());
      for (Node element : seq.getValue()) {
        out.add(descriptor((MappingNode) element));
      }
      return out;
    }

    private DescriptorSpec descriptor(MappingNode node) {
      String key = "";
      String value = "";
      RateLimitSpec rateLimit = null;
      List<DescriptorSpec> children = List.of();
      boolean shadow = false;
      boolean quota = false;
      boolean detailed = false;
      boolean valueToMetric = false;
      boolean share = false;
      Struct metadata = Struct.getDefaultInstance();
      String algorithm = "";
      for (NodeTuple t : node.getValue()) {
        String name = ((ScalarNode) t.getKeyNode()).getValue();
        Node v = t.getValueNode();
        switch (name) {
          case "key" -> key = string(name, v);
          case "value" -> value = string(name, v);
          case "rate_limit" -> rateLimit = rateLimit(name, v);
          case "descriptors" -> children = descriptors(name, v);
          case "shadow_mode" -> shadow = bool(name, v);
          case "quota_mode" -> quota = bool(name, v);
          case "detailed_metric" -> detailed = bool(name, v);
          case "value_to_metric" -> valueToMetric = bool(name, v);
          case "share_threshold" -> share = bool(name, v);
          case "metadata" -> metadata = metadata(name, v);
          case "algorithm" -> algorithm = string(name, v);
          default -> {
            // A known key that belongs to another level; the reference ignores it here.
          }
        }
      }
      return new DescriptorSpec(
          key,
          value,
          rateLimit,
          children,
          shadow,
          quota,
          detailed,
          valueToMetric,
          share,
          metadata,
          algorithm);
    }

    private RateLimitSpec rateLimit(String key, Node node) {
      if (isNull(node)) {
        return null;
      }
      if (!(node instanceof MappingNode mapping)) {
        throw typeError(key, node, "a rate_limit mapping");
      }
      String unit = "";
      long requests = 0;
      boolean unlimited = false;
      String name = "";
      List<String> replaces = List.of();
      for (NodeTuple t : mapping.getValue()) {
        String field = ((ScalarNode) t.getKeyNode()).getValue();
        Node v = t.getValueNode();
        switch (field) {
          case "unit" -> unit = string(field, v);
          case "requests_per_unit" -> requests = uint32(field, v);
          case "unlimited" -> unlimited = bool(field, v);
          case "name" -> name = string(field, v);
          case "replaces" -> replaces = replaces(field, v);
          default -> {
            // Ignored, as in the reference.
          }
        }
      }
      return new RateLimitSpec(unit, requests, unlimited, name, replaces);
    }

    private List<String> replaces(String key, Node node) {
      if (isNull(node)) {
        return List.of();
      }
      if (!(node instanceof SequenceNode seq)) {
        throw typeError(key, node, "a list of {name: ...}");
      }
      List<String> names = new ArrayList<>();
      for (Node element : seq.getValue()) {
        String name = "";
        for (NodeTuple t : ((MappingNode) element).getValue()) {
          if ("name".equals(((ScalarNode) t.getKeyNode()).getValue())) {
            name = string("name", t.getValueNode());
          }
        }
        names.add(name);
      }
      return names;
    }

    /** Like yaml.v2, a string field takes any scalar's text; null is the empty string. */
    private String string(String key, Node node) {
      if (isNull(node)) {
        return "";
      }
      if (node instanceof ScalarNode s) {
        return s.getValue();
      }
      throw typeError(key, node, "string");
    }

    private boolean bool(String key, Node node) {
      if (isNull(node)) {
        return false;
      }
      if (node instanceof ScalarNode s && Tag.BOOL.equals(s.getTag())) {
        return switch (s.getValue().toLowerCase(java.util.Locale.ROOT)) {
          case "true", "yes", "on", "y" -> true;
          default -> false;
        };
      }
      throw typeError(key, node, "bool");
    }

    private long uint32(String key, Node node) {
      if (isNull(node)) {
        return 0;
      }
      if (node instanceof ScalarNode s && Tag.INT.equals(s.getTag())) {
        try {
          long v = new java.math.BigInteger(s.getValue().replace("_", "")).longValueExact();
          if (v >= 0 && v <= MAX_UINT32) {
            return v;
          }
        } catch (ArithmeticException | NumberFormatException e) {
          // Falls through to the type error below.
        }
      }
      throw typeError(key, node, "uint32");
    }

    private Struct metadata(String key, Node node) {
      if (isNull(node)) {
        return Struct.getDefaultInstance();
      }
      if (!(node instanceof MappingNode mapping)) {
        throw typeError(key, node, "a metadata mapping");
      }
      return struct(mapping);
    }

    private Struct struct(MappingNode mapping) {
      Struct.Builder b = Struct.newBuilder();
      for (NodeTuple t : mapping.getValue()) {
        b.putFields(goValue(t.getKeyNode()), value(t.getValueNode()));
      }
      return b.build();
    }

    private Value value(Node node) {
      if (node instanceof MappingNode m) {
        return Value.newBuilder().setStructValue(struct(m)).build();
      }
      if (node instanceof SequenceNode seq) {
        ListValue.Builder list = ListValue.newBuilder();
        seq.getValue().forEach(n -> list.addValues(value(n)));
        return Value.newBuilder().setListValue(list).build();
      }
      ScalarNode s = (ScalarNode) node;
      Tag tag = s.getTag();
      if (Tag.NULL.equals(tag)) {
        return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
      }
      if (Tag.BOOL.equals(tag)) {
        return Value.newBuilder().setBoolValue(bool("metadata", s)).build();
      }
      if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
        try {
          return Value.newBuilder().setNumberValue(Double.parseDouble(s.getValue())).build();
        } catch (NumberFormatException e) {
          return Value.newBuilder().setStringValue(s.getValue()).build();
        }
      }
      return Value.newBuilder().setStringValue(s.getValue()).build();
    }

    private ConfigException typeError(String key, Node node, String expected) {
      return loadError(
          source,
          "line "
              + line(node)
              + ": cannot unmarshal "
              + describe(node)
              + " into "
              + expected
              + " (key '"
              + key
              + "')");
    }
  }
}
