package io.tollgate.controlplane.configfile;

import com.google.common.net.InetAddresses;
import io.tollgate.controlplane.limits.InvalidRuleException;
import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.LimitRuleJson;
import io.tollgate.controlplane.limits.RuleViolation;
import io.tollgate.controlplane.limits.validation.LimitRuleValidator;
import io.tollgate.controlplane.regex.EnvoyRegex;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Parses and validates {@code tollgate.yaml} into a {@link GatewayConfig}. Pure: text in, model or
 * {@link InvalidConfigException} out. The structure first ({@link GatewayConfigSchema}: unknown
 * keys, types, nulls, ranges), then the meanings (URLs, paths, regexes, names, references, the
 * limit rules as the REST API checks them). Every problem of a stage is reported (not just the
 * first), each as {@code <source>: <key path>: <what is wrong>}, so that a typo cannot silently
 * fall back to a default.
 */
public final class GatewayConfigParser {

  static final int MAX_XFF_TRUSTED_HOPS = 10;
  static final String RESERVED_PREFIX = "tollgate_";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  private static final Pattern PATH = Pattern.compile("/[^\\s?#]*");
  private static final int MAX_REGEX_LENGTH = 1024;
  private static final int MAX_FILE_CODE_POINTS = 1 << 20;

  private final LimitRuleJson ruleJson = new LimitRuleJson();
  private final GatewayConfigSchema schema = new GatewayConfigSchema();

  private static final Set<String> MATCH_KEYS = ordered("path", "pathPrefix", "pathRegex");

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
    if (root != null) {
      List<String> structure = schema.problems(source, root);
      if (!structure.isEmpty()) {
        throw new InvalidConfigException(structure);
      }
    }
    Walk walk = new Walk(source, ruleJson);
    GatewayConfig config = walk.document(root);
    if (!walk.problems.isEmpty()) {
      throw new InvalidConfigException(walk.problems);
    }
    return config;
  }

  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(20);
    options.setNestingDepthLimit(20);
    options.setCodePointLimit(MAX_FILE_CODE_POINTS);
    return new Yaml(new SafeConstructor(options));
  }

  private static String describe(MarkedYAMLException e) {
    Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
    String where =
        mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
    return where + ": invalid YAML: " + problem;
  }

  private static Set<String> ordered(String... keys) {
    return new LinkedHashSet<>(List.of(keys));
  }

  /** One pass over the parsed tree, collecting problems with their key paths. */
  private static final class Walk {

    private final String source;
    private final LimitRuleJson ruleJson;
    private final List<String> problems = new ArrayList<>();
    // Names written in the file, valid or not: a route naming a broken upstream is not "unknown".
    private final Set<String> declaredUpstreams = new HashSet<>();

    Walk(String source, LimitRuleJson ruleJson) {
      this.source = source;
      this.ruleJson = ruleJson;
    }

    GatewayConfig document(Object root) {
      if (root == null) {
        problem("document", "is empty");
        return null;
      }
      Map<?, ?> top = mapping(root, "document");
      if (top == null) {
        return null;
      }
      ListenerSpec listener = listener(top.get("listener"));
      List<UpstreamSpec> upstreams = upstreams(top);
      List<RouteSpec> routes = routes(top);
      List<LimitRule> limits = limits(top.get("limits"));
      return new GatewayConfig(listener, upstreams, routes, limits);
    }

    /** Optional; each rule is read and validated exactly as the REST API does. */
    private List<LimitRule> limits(Object node) {
      if (node == null) {
        return List.of();
      }
      if (!(node instanceof List<?> items)) {
        problem("limits", "must be a list");
        return List.of();
      }
      List<LimitRule> rules = new ArrayList<>();
      Set<String> names = new HashSet<>();
      for (int i = 0; i < items.size(); i++) {
        String path = "limits[" + i + "]";
        List<RuleViolation> violations;
        LimitRule rule = null;
        try {
          rule = ruleJson.fromValue(items.get(i));
          violations = LimitRuleValidator.validate(rule);
        } catch (InvalidRuleException e) {
          violations = e.violations();
        }
        violations.forEach(v -> problem(join(path, v.field()), v.message()));
        if (violations.isEmpty()) {
          if (names.add(rule.name())) {
            rules.add(rule);
          } else {
            problem(path + ".name", "duplicate limit rule name '" + rule.name() + "'");
          }
        }
      }
      return rules;
    }

    private ListenerSpec listener(Object node) {
      String address = ListenerSpec.DEFAULT_ADDRESS;
      int port = ListenerSpec.DEFAULT_PORT;
      int xffHops = 0;
      if (node != null) {
        Map<?, ?> m = mapping(node, "listener");
        if (m != null) {
          address = string(m, "listener", "address").orElse(address);
          if (!InetAddresses.isInetAddress(address)) {
            problem("listener.address", "must be an IP address, got '" + address + "'");
          }
          port = integer(m, "listener", "port", 1, 65535).orElse(port);
          xffHops =
              integer(m, "listener", "xffNumTrustedHops", 0, MAX_XFF_TRUSTED_HOPS).orElse(xffHops);
        }
      }
      return new ListenerSpec(address, port, xffHops);
    }

    private List<UpstreamSpec> upstreams(Map<?, ?> top) {
      List<UpstreamSpec> upstreams = new ArrayList<>();
      List<?> items = nonEmptyList(top, "upstreams", "upstream");
      Set<String> names = new HashSet<>();
      for (int i = 0; i < items.size(); i++) {
        String path = "upstreams[" + i + "]";
        Map<?, ?> m = mapping(items.get(i), path);
        if (m == null) {
          continue;
        }
        if (m.get("name") instanceof String declared) {
          declaredUpstreams.add(declared.strip());
        }
        Optional<String> name = name(m, path, names, "upstream");
        Optional<Endpoint> endpoint = requiredString(m, path, "url").flatMap(u -> url(u, path));
        Optional<String> caFile = string(m, path, "caFile");
        if (caFile.isPresent() && endpoint.isPresent() && !endpoint.get().tls()) {
          problem(path + ".caFile", "applies only to https upstreams");
        }
        Duration connectTimeout =
            duration(m, path, "connectTimeout").orElse(UpstreamSpec.DEFAULT_CONNECT_TIMEOUT);
        Duration timeout = duration(m, path, "timeout").orElse(UpstreamSpec.DEFAULT_TIMEOUT);
        if (name.isPresent() && endpoint.isPresent()) {
          Endpoint e = endpoint.get();
          upstreams.add(
              new UpstreamSpec(
                  name.get(), e.tls(), e.host(), e.port(), caFile, connectTimeout, timeout));
        }
      }
      return upstreams;
    }

    private List<RouteSpec> routes(Map<?, ?> top) {
      List<RouteSpec> routes = new ArrayList<>();
      List<?> items = nonEmptyList(top, "routes", "route");
      Set<String> names = new HashSet<>();
      for (int i = 0; i < items.size(); i++) {
        String path = "routes[" + i + "]";
        Map<?, ?> m = mapping(items.get(i), path);
        if (m == null) {
          continue;
        }
        Optional<String> name = name(m, path, names, "route");
        Optional<PathMatch> match = match(m, path);
        Optional<String> upstream = requiredString(m, path, "upstream");
        if (upstream.isPresent() && !declaredUpstreams.contains(upstream.get())) {
          problem(path + ".upstream", "unknown upstream '" + upstream.get() + "'");
        }
        if (name.isPresent() && match.isPresent() && upstream.isPresent()) {
          routes.add(new RouteSpec(name.get(), match.get(), upstream.get()));
        }
      }
      return routes;
    }

    private Optional<PathMatch> match(Map<?, ?> route, String routePath) {
      if (!route.containsKey("match")) {
        problem(routePath + ".match", "is required");
        return Optional.empty();
      }
      String path = routePath + ".match";
      Map<?, ?> m = mapping(route.get("match"), path);
      if (m == null) {
        return Optional.empty();
      }
      List<String> given = MATCH_KEYS.stream().filter(m::containsKey).toList();
      if (given.size() != 1) {
        problem(
            path,
            "needs exactly one of path, pathPrefix, pathRegex"
                + (given.isEmpty() ? "" : ", got " + String.join(", ", given)));
        return Optional.empty();
      }
      String kind = given.get(0);
      return string(m, path, kind)
          .flatMap(
              value ->
                  switch (kind) {
                    case "path" -> urlPath(value, path + ".path").map(PathMatch.Exact::new);
                    case "pathPrefix" ->
                        urlPath(value, path + ".pathPrefix").map(PathMatch.Prefix::new);
                    default -> regex(value, path + ".pathRegex").map(PathMatch.Regex::new);
                  });
    }

    private Optional<String> urlPath(String value, String path) {
      if (!PATH.matcher(value).matches()) {
        problem(path, "must start with '/' and contain no whitespace, '?' or '#'");
        return Optional.empty();
      }
      return Optional.of(value);
    }

    private Optional<String> regex(String value, String path) {
      if (value.length() > MAX_REGEX_LENGTH) {
        problem(path, "is longer than " + MAX_REGEX_LENGTH + " characters");
        return Optional.empty();
      }
      Optional<String> envoyProblem = EnvoyRegex.problem(value, "the regex");
      envoyProblem.ifPresent(p -> problem(path, p));
      return envoyProblem.isPresent() ? Optional.empty() : Optional.of(value);
    }

    private Optional<Endpoint> url(String url, String upstreamPath) {
      String path = upstreamPath + ".url";
      URI uri;
      try {
        uri = new URI(url);
      } catch (URISyntaxException e) {
        problem(path, "is not a valid URL: " + e.getReason());
        return Optional.empty();
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        problem(path, "scheme must be http or https, got '" + scheme + "'");
        return Optional.empty();
      }
      if (uri.getHost() == null) {
        problem(path, "must have a host, got '" + url + "'");
        return Optional.empty();
      }
      if (uri.getUserInfo() != null
          || uri.getQuery() != null
          || uri.getFragment() != null
          || !(uri.getPath().isEmpty() || uri.getPath().equals("/"))) {
        problem(path, "must be scheme://host[:port] only, without user, path, query or fragment");
        return Optional.empty();
      }
      boolean tls = scheme.equals("https");
      int port = uri.getPort() == -1 ? UpstreamSpec.defaultPort(tls) : uri.getPort();
      if (port < 1 || port > 65535) {
        problem(path, "port must be between 1 and 65535, got " + port);
        return Optional.empty();
      }
      String host = uri.getHost();
      if (host.startsWith("[")) {
        host = host.substring(1, host.length() - 1);
      }
      return Optional.of(new Endpoint(tls, host.toLowerCase(Locale.ROOT), port));
    }

    private Optional<String> name(Map<?, ?> m, String path, Set<String> seen, String what) {
      Optional<String> name = requiredString(m, path, "name");
      if (name.isEmpty()) {
        return name;
      }
      String n = name.get();
      if (!NAME.matcher(n).matches()) {
        problem(
            path + ".name",
            "must be 1 to 63 letters, digits, '_', '.' or '-' starting with a letter or digit,"
                + " got '"
                + n
                + "'");
        return Optional.empty();
      }
      if (n.startsWith(RESERVED_PREFIX)) {
        problem(path + ".name", "names starting with '" + RESERVED_PREFIX + "' are reserved");
        return Optional.empty();
      }
      if (!seen.add(n)) {
        problem(path + ".name", "duplicate " + what + " name '" + n + "'");
        return Optional.empty();
      }
      return name;
    }

    private Optional<Duration> duration(Map<?, ?> m, String path, String key) {
      Optional<String> text = string(m, path, key);
      if (text.isEmpty()) {
        return Optional.empty();
      }
      Optional<Duration> d = ConfigDurations.parse(text.get());
      if (d.isEmpty()) {
        problem(
            path + "." + key, "must be " + ConfigDurations.SYNTAX + ", got '" + text.get() + "'");
      } else if (d.get().isZero()) {
        problem(path + "." + key, "must be greater than 0");
        return Optional.empty();
      }
      return d;
    }

    private List<?> nonEmptyList(Map<?, ?> top, String key, String what) {
      Object node = top.get(key);
      if (node == null) {
        problem(key, top.containsKey(key) ? "must have at least one " + what : "is required");
        return List.of();
      }
      if (!(node instanceof List<?> list)) {
        problem(key, "must be a list");
        return List.of();
      }
      if (list.isEmpty()) {
        problem(key, "must have at least one " + what);
      }
      return list;
    }

    private Optional<String> requiredString(Map<?, ?> m, String path, String key) {
      if (m.get(key) == null) {
        problem(join(path, key), "is required");
        return Optional.empty();
      }
      return string(m, path, key);
    }

    private Optional<String> string(Map<?, ?> m, String path, String key) {
      Object value = m.get(key);
      if (value == null) {
        return Optional.empty();
      }
      if (!(value instanceof String s) || s.isBlank()) {
        problem(join(path, key), "must be a non-empty string");
        return Optional.empty();
      }
      return Optional.of(s.strip());
    }

    private Optional<Integer> integer(Map<?, ?> m, String path, String key, int min, int max) {
      Object value = m.get(key);
      if (value == null) {
        return Optional.empty();
      }
      if (!(value instanceof Integer i)) {
        problem(join(path, key), "must be an integer between " + min + " and " + max);
        return Optional.empty();
      }
      if (i < min || i > max) {
        problem(join(path, key), "must be between " + min + " and " + max + ", got " + i);
        return Optional.empty();
      }
      return Optional.of(i);
    }

    private Map<?, ?> mapping(Object node, String path) {
      if (!(node instanceof Map<?, ?> m)) {
        problem(path, "must be a mapping");
        return null;
      }
      return m;
    }

    private void problem(String path, String message) {
      problems.add(source + ": " + path + ": " + message);
    }

    private static String join(String path, String key) {
      if (key.isEmpty() || key.startsWith("[")) {
        return path + key;
      }
      return path.isEmpty() ? key : path + "." + key;
    }
  }

  private record Endpoint(boolean tls, String host, int port) {}
}
