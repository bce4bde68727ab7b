package io.tollgate.referenceconfig;

import java.io.StringReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.DumperOptions;
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
import org.yaml.snakeyaml.representer.Representer;

/**
 * Reads one file in the reference's YAML format as the reference (envoyproxy/ratelimit, yaml.v2)
 * reads it, in its three steps and with its classes of error. Scalars are typed by yaml.v2's rules
 * ({@link Yaml11Scalars}), merge keys are applied ({@link MergeKeys}), and only the first document
 * of a file counts (the rest is reported as a warning). Then: every mapping key at any depth must
 * be a known key of the format ({@code config error, unknown key '...'}), every list must hold
 * mappings and every leaf must be a string, integer, boolean or null ({@code error checking
 * config}: floats, timestamps, integers beyond int64); then each field must have its type ({@code
 * error loading config file: line N: ...}). Semantic checks (empty domain, duplicate keys, units,
 * replaces) are the caller's.
 */
public final class ReferenceYamlReader {

  /**
   * The reference's valid keys, plus Tollgate's {@code algorithm} (the sliding-window opt-in) and
   * {@code burst} (a token bucket). The reference refuses both ({@code config error, unknown key}).
   */
  public static final Set<String> VALID_KEYS =
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
          "algorithm",
          "burst");

  private static final long MAX_UINT32 = 0xFFFF_FFFFL;

  /**
   * Decodes {@code bytes} as yaml.v2 does (UTF-8, or UTF-16 after its byte-order mark), then reads
   * it; bytes that are not text are an error naming the file.
   */
  public ConfigDocument read(String source, byte[] bytes) {
    return read(source, decode(source, bytes));
  }

  /** Parses {@code content}; {@code source} names the file in every error. */
  public ConfigDocument read(String source, String content) {
    List<String> warnings = new ArrayList<>();
    Node root = parse(source, content, warnings);
    if (root != null) {
      new MergeKeys(source).apply(root);
      validateKeys(source, root, "");
    }
    ConfigDocument typed = new Typed(source).document(root);
    return new ConfigDocument(typed.source(), typed.domain(), typed.descriptors(), warnings);
  }

  private static String decode(String source, byte[] bytes) {
    Charset charset = StandardCharsets.UTF_8;
    int skip = 0;
    if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF) {
      charset = StandardCharsets.UTF_16BE;
      skip = 2;
    } else if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE) {
      charset = StandardCharsets.UTF_16LE;
      skip = 2;
    } else if (bytes.length >= 3
        && (bytes[0] & 0xFF) == 0xEF
        && (bytes[1] & 0xFF) == 0xBB
        && (bytes[2] & 0xFF) == 0xBF) {
      skip = 3;
    }
    ByteBuffer in = ByteBuffer.wrap(bytes, skip, bytes.length - skip);
    try {
      return charset
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(in)
          .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(
          source,
          "error loading config file: yaml: invalid "
              + charset.name()
              + " at byte "
              + in.position()
              + " (the file is not text in UTF-8 or UTF-16)");
    }
  }

  private static Node parse(String source, String content, List<String> warnings) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(50);
    options.setNestingDepthLimit(50);
    DumperOptions dumper = new DumperOptions();
    Yaml yaml =
        new Yaml(
            new SafeConstructor(options),
            new Representer(dumper),
            dumper,
            options,
            new Yaml11Scalars());
    Node root;
    try {
      Iterator<Node> documents = yaml.composeAll(new StringReader(content)).iterator();
      root = documents.hasNext() ? documents.next() : null;
      if (root != null && moreDocuments(documents)) {
        warnings.add(
            source
                + ": only the first YAML document is read, as the reference reads it;"
                + " the others (after the first '---') are ignored");
      }
    } catch (MarkedYAMLException e) {
      throw loadError(source, yamlMessage(e));
    } catch (YAMLException e) {
      throw loadError(source, "yaml: " + e.getMessage());
    }
    if (root != null && !(root instanceof MappingNode) && !isNull(root)) {
      throw loadError(
          source,
          "line " + line(root) + ": cannot unmarshal " + describe(root) + " into a mapping");
    }
    return isNull(root) ? null : root;
  }

  /** yaml.v2 never parses past the first document, so a broken later one is no error either. */
  private static boolean moreDocuments(Iterator<Node> documents) {
    try {
      return documents.hasNext();
    } catch (YAMLException e) {
      return true;
    }
  }

  private static String yamlMessage(MarkedYAMLException e) {
    StringBuilder b = new StringBuilder("yaml: ");
    if (e.getProblemMark() != null) {
      b.append("line ").append(e.getProblemMark().getLine() + 1).append(": ");
    }
    b.append(e.getProblem() == null ? e.getMessage() : e.getProblem());
    return b.toString();
  }

  /** The reference's {@code validateYamlKeys}: a structural walk before any typing. */
  private static void validateKeys(String source, Node node, String where) {
    if (!(node instanceof MappingNode mapping)) {
      return;
    }
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode scalarKey) || !Tag.STR.equals(keyNode.getTag())) {
        throw new ConfigException(
            source, "config error, key is not of type string: " + goValue(keyNode), where);
      }
      String key = scalarKey.getValue();
      String at = where.isEmpty() ? key : where + "." + key;
      if (!VALID_KEYS.contains(key)) {
        throw new ConfigException(source, "config error, unknown key '" + key + "'", at);
      }
      Node value = tuple.getValueNode();
      if ("metadata".equals(key)) {
        // Free-form: its keys are the operator's, not the format's.
        continue;
      }
      if (value instanceof SequenceNode seq) {
        for (int i = 0; i < seq.getValue().size(); i++) {
          Node element = seq.getValue().get(i);
          if (!(element instanceof MappingNode)) {
            throw new ConfigException(
                source,
                "config error, yaml file contains list of type other than map: " + goValue(element),
                at + "[" + i + "]");
          }
          validateKeys(source, element, at + "[" + i + "]");
        }
      } else if (value instanceof MappingNode) {
        validateKeys(source, value, at);
      } else if (value instanceof ScalarNode scalar && !isLeafType(scalar)) {
        throw new ConfigException(
            source,
            "error checking config (line "
                + line(scalar)
                + ": "
                + describe(scalar)
                + " is not a string, integer or boolean; quote it to make it a string)",
            at);
      }
    }
  }

  /** The leaf types of the reference's walk: Go's string, int, bool and nil. */
  private static boolean isLeafType(ScalarNode scalar) {
    Tag tag = scalar.getTag();
    if (Tag.INT.equals(tag)) {
      BigInteger v = Yaml11Scalars.intValue(scalar.getValue());
      return v != null && Yaml11Scalars.fitsInt64(v);
    }
    return Tag.STR.equals(tag) || Tag.BOOL.equals(tag) || Tag.NULL.equals(tag);
  }

  /** How Go's {@code %v} prints a YAML value, for the reference's messages. */
  private static String goValue(Node node) {
    if (node instanceof ScalarNode s) {
      return s.getValue();
    }
    if (node instanceof SequenceNode seq) {
      return seq.getValue().stream()
          .map(ReferenceYamlReader::goValue)
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

    private List<DescriptorSpec> descriptors(String where, Node node) {
      if (isNull(node)) {
        return List.of();
      }
      if (!(node instanceof SequenceNode seq)) {
        throw typeError(where, node, "a list of descriptors");
      }
      List<DescriptorSpec> out = new ArrayList<>(seq.getValue().size());
      for (int i = 0; i < seq.getValue().size(); i++) {
        out.add(descriptor(where + "[" + i + "]", (MappingNode) seq.getValue().get(i)));
      }
      return out;
    }

    private DescriptorSpec descriptor(String where, MappingNode node) {
      String key = "";
      String value = "";
      RateLimitSpec rateLimit = null;
      List<DescriptorSpec> children = List.of();
      boolean shadow = false;
      boolean quota = false;
      boolean detailed = false;
      boolean valueToMetric = false;
      boolean share = false;
      Map<String, Object> metadata = Map.of();
      String algorithm = "";
      for (NodeTuple t : node.getValue()) {
        String name = ((ScalarNode) t.getKeyNode()).getValue();
        String at = where + "." + name;
        Node v = t.getValueNode();
        switch (name) {
          case "key" -> key = string(at, v);
          case "value" -> value = string(at, v);
          case "rate_limit" -> rateLimit = rateLimit(at, v);
          case "descriptors" -> children = descriptors(at, v);
          case "shadow_mode" -> shadow = bool(at, v);
          case "quota_mode" -> quota = bool(at, v);
          case "detailed_metric" -> detailed = bool(at, v);
          case "value_to_metric" -> valueToMetric = bool(at, v);
          case "share_threshold" -> share = bool(at, v);
          case "metadata" -> metadata = metadata(at, v);
          case "algorithm" -> algorithm = string(at, v);
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

    private RateLimitSpec rateLimit(String where, Node node) {
      if (isNull(node)) {
        return null;
      }
      if (!(node instanceof MappingNode mapping)) {
        throw typeError(where, node, "a rate_limit mapping");
      }
      String unit = "";
      long requests = 0;
      boolean unlimited = false;
      String name = "";
      List<String> replaces = List.of();
      Long burst = null;
      for (NodeTuple t : mapping.getValue()) {
        String field = ((ScalarNode) t.getKeyNode()).getValue();
        String at = where + "." + field;
        Node v = t.getValueNode();
        switch (field) {
          case "unit" -> unit = string(at, v);
          case "requests_per_unit" -> requests = uint32(at, v);
          case "unlimited" -> unlimited = bool(at, v);
          case "name" -> name = string(at, v);
          case "replaces" -> replaces = replaces(at, v);
          // A burst written with no value is no burst, not a bucket of zero extra tokens.
          case "burst" -> burst = isNull(v) ? null : uint32(at, v);
          default -> {
            // Ignored, as in the reference.
          }
        }
      }
      return new RateLimitSpec(unit, requests, unlimited, name, replaces, burst);
    }

    private List<String> replaces(String where, Node node) {
      if (isNull(node)) {
        return List.of();
      }
      if (!(node instanceof SequenceNode seq)) {
        throw typeError(where, node, "a list of {name: ...}");
      }
      List<String> names = new ArrayList<>();
      for (int i = 0; i < seq.getValue().size(); i++) {
        String name = "";
        for (NodeTuple t : ((MappingNode) seq.getValue().get(i)).getValue()) {
          if ("name".equals(((ScalarNode) t.getKeyNode()).getValue())) {
            name = string(where + "[" + i + "].name", t.getValueNode());
          }
        }
        names.add(name);
      }
      return names;
    }

    /** Like yaml.v2, a string field takes any scalar's text; null is the empty string. */
    private String string(String where, Node node) {
      if (isNull(node)) {
        return "";
      }
      if (node instanceof ScalarNode s) {
        return s.getValue();
      }
      throw typeError(where, node, "string");
    }

    private boolean bool(String where, Node node) {
      if (isNull(node)) {
        return false;
      }
      if (node instanceof ScalarNode s && Tag.BOOL.equals(s.getTag())) {
        return Yaml11Scalars.boolValue(s.getValue());
      }
      throw typeError(where, node, "bool");
    }

    /** yaml.v2's integer forms (0x10, 0o17, 017, 1_000, +5) to their value, or an error. */
    private long uint32(String where, Node node) {
      if (isNull(node)) {
        return 0;
      }
      if (node instanceof ScalarNode s && Tag.INT.equals(s.getTag())) {
        BigInteger v = Yaml11Scalars.intValue(s.getValue());
        if (v != null && v.signum() >= 0 && v.longValue() <= MAX_UINT32 && v.bitLength() < 64) {
          return v.longValue();
        }
      }
      throw typeError(where, node, "uint32");
    }

    private Map<String, Object> metadata(String where, Node node) {
      if (isNull(node)) {
        return Map.of();
      }
      if (!(node instanceof MappingNode mapping)) {
        throw typeError(where, node, "a metadata mapping");
      }
      return map(mapping);
    }

    private Map<String, Object> map(MappingNode mapping) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (NodeTuple t : mapping.getValue()) {
        out.put(goValue(t.getKeyNode()), value(t.getValueNode()));
      }
      return Collections.unmodifiableMap(out);
    }

    private Object value(Node node) {
      if (node instanceof MappingNode m) {
        return map(m);
      }
      if (node instanceof SequenceNode seq) {
        List<Object> list = new ArrayList<>();
        seq.getValue().forEach(n -> list.add(value(n)));
        return Collections.unmodifiableList(list);
      }
      ScalarNode s = (ScalarNode) node;
      Tag tag = s.getTag();
      if (Tag.NULL.equals(tag)) {
        return null;
      }
      if (Tag.BOOL.equals(tag)) {
        return Yaml11Scalars.boolValue(s.getValue());
      }
      if (Tag.INT.equals(tag)) {
        BigInteger v = Yaml11Scalars.intValue(s.getValue());
        return v == null ? s.getValue() : v.doubleValue();
      }
      if (Tag.FLOAT.equals(tag)) {
        try {
          return Double.parseDouble(s.getValue().replace("_", ""));
        } catch (NumberFormatException e) {
          return s.getValue();
        }
      }
      return s.getValue();
    }

    private ConfigException typeError(String where, Node node, String expected) {
      String key = where.substring(where.lastIndexOf('.') + 1);
      return new ConfigException(
          source,
          "error loading config file: line "
              + line(node)
              + ": cannot unmarshal "
              + describe(node)
              + " into "
              + expected
              + " (key '"
              + key
              + "')",
          where);
    }
  }
}
