package io.tollgate.controlplane.configfile;

import io.tollgate.controlplane.limits.LimitRuleJson;
import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads {@code tollgate.yaml} into a {@link GatewayConfig}. Pure: text in, model or {@link
 * InvalidConfigException} out. YAML (SnakeYAML: duplicate keys and syntax errors with line and
 * column), then the structure ({@link GatewayConfigSchema}: unknown keys, types, nulls, ranges),
 * then Jackson binds the file ({@link GatewayConfigFile}) and {@link GatewayConfigValidator} checks
 * the meanings. Every problem of a stage is reported (not just the first), each as {@code <source>:
 * <key path>: <what is wrong>}, so that a typo cannot silently fall back to a default.
 */
public final class GatewayConfigParser {

  private static final int MAX_FILE_CODE_POINTS = 1 << 20;

  private final LimitRuleJson ruleJson = new LimitRuleJson();
  private final GatewayConfigSchema schema = new GatewayConfigSchema();
  private final GatewayConfigValidator validator = new GatewayConfigValidator(ruleJson);
  private final JsonMapper mapper =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /**
   * @param source how messages name the file, e.g. {@code config/tollgate.yaml}
   * @param text the file's content
   */
  public GatewayConfig parse(String source, String text) throws InvalidConfigException {
    Object root;
    try {
      root = yaml().load(text);
    } catch (MarkedYAMLException e) {
      throw new InvalidConfigException(List.of(source + ": " + describe(e)));
    } catch (YAMLException e) {
      throw new InvalidConfigException(List.of(source + ": invalid YAML: " + e.getMessage()));
    }
    if (root == null) {
      throw new InvalidConfigException(List.of(source + ": document: is empty"));
    }
    JsonNode tree = mapper.valueToTree(root);
    fail(schema.problems(source, tree));
    GatewayConfigFile file;
    try {
      file = mapper.treeToValue(tree, GatewayConfigFile.class);
    } catch (JacksonException e) {
      // The schema admits only what binds; this names the file should the two ever disagree.
      throw new InvalidConfigException(List.of(source + ": " + e.getOriginalMessage()));
    }
    fail(validator.problems(source, file));
    return file.toConfig(ruleJson);
  }

  private static void fail(List<String> problems) throws InvalidConfigException {
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
  }

  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(20);
    options.setNestingDepthLimit(20);
    options.setCodePointLimit(MAX_FILE_CODE_POINTS);
    return new Yaml(
        new SafeConstructor(options),
        new Representer(new DumperOptions()),
        new DumperOptions(),
        options,
        new Yaml12Scalars());
  }

  /**
   * YAML 1.2's scalars where YAML 1.1 differs. 1.1 reads {@code caFile: 2024-01-01} as a date,
   * which the binding would turn into a different string ({@code 2024-01-01T00:00:00.000Z}); no key
   * of the file holds a date, so such a scalar stays the string written. 1.1 also reads {@code on},
   * {@code off}, {@code yes} and {@code no} as booleans, which would turn the key {@code
   * retries.on} into {@code true}: only {@code true} and {@code false} are booleans, as in YAML
   * 1.2.
   */
  private static final class Yaml12Scalars extends Resolver {
    private static final Pattern BOOL = Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");

    @Override
    public void addImplicitResolver(Tag tag, Pattern regexp, String first, int limit) {
      if (Tag.BOOL.equals(tag)) {
        super.addImplicitResolver(tag, BOOL, "tTfF", limit);
      } else if (!Tag.TIMESTAMP.equals(tag)) {
        super.addImplicitResolver(tag, regexp, first, limit);
      }
    }
  }

  private static String describe(MarkedYAMLException e) {
    Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
    String where =
        mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
    return where + ": invalid YAML: " + problem;
  }
}
