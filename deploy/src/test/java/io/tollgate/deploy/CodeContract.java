package io.tollgate.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * What the code reads, taken from the sources themselves so the manifests are checked against the
 * code as it is, not against a list that drifts: the control plane's settings record (Spring's
 * relaxed binding of {@code tollgate.*}) and {@code application.yaml}, the rate-limit service's
 * {@code Settings}, {@code envoy/run-envoy.sh} and the bootstrap it renders, the HTTP paths each
 * serves, and what each Dockerfile copies.
 */
final class CodeContract {

  /** The three Tollgate programs a manifest runs, by the image names the project builds. */
  enum Component {
    CONTROL_PLANE("tollgate/control-plane", "control-plane/Dockerfile"),
    RATELIMIT("tollgate/ratelimit-service", "ratelimit-service/Dockerfile"),
    ENVOY("tollgate/envoy", "envoy/Dockerfile"),
    OTHER("", "");

    static final String TAG = "0.1.0";

    final String image;
    final String dockerfile;

    Component(String image, String dockerfile) {
      this.image = image;
      this.dockerfile = dockerfile;
    }

    String fullImage() {
      return image + ":" + TAG;
    }

    /** By image repository (any tag; stock Envoy counts as Envoy), else by Dockerfile path. */
    static Component of(String image, String dockerfile) {
      String repository = image == null ? "" : image.replaceFirst(":[^/:]*$", "");
      for (Component c : values()) {
        if (c != OTHER && (repository.equals(c.image) || c.dockerfile.equals(dockerfile))) {
          return c;
        }
      }
      return repository.equals("envoyproxy/envoy") ? ENVOY : OTHER;
    }
  }

  private static final Pattern RECORD =
      Pattern.compile("record\\s+(\\w+)\\s*\\(", Pattern.MULTILINE);
  private static final Pattern DEFAULT_VALUE = Pattern.compile("@DefaultValue\\(\"([^\"]*)\"\\)");
  private static final Pattern ANNOTATION = Pattern.compile("@\\w+(\\([^)]*\\))?");
  private static final Pattern ENV_READ =
      Pattern.compile("\\benv\\.\\w+\\(\\s*\"([A-Z][A-Z0-9_]*)\"\\s*,\\s*([^,)]+)");
  private static final Pattern SHELL_VAR = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)(:-([^}]*))?}");
  private static final Pattern HEADER_NAMES =
      Pattern.compile("^#\\s{2,}([A-Z][A-Z0-9_]+(?:\\s*[,/]\\s*[A-Z][A-Z0-9_]+)*)");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)}");
  private static final Pattern CONTEXT =
      Pattern.compile("createContext\\(\"([^\"]+)\",\\s*this::(\\w+)\\)");

  /** Spring Boot's and the JVM's own variables, which the control plane reads without a record. */
  private static final List<String> SPRING_PREFIXES =
      List.of("SPRING_", "SERVER_", "MANAGEMENT_", "LOGGING_");

  private static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS");

  private final Path root;
  private final Map<String, String> controlPlaneVariables;
  private final Map<String, String> ratelimitVariables;
  private final Set<String> ratelimitIgnored;
  private final Map<String, String> envoyVariables;
  private final Map<String, Object> applicationYaml;

  CodeContract(Path root) {
    this.root = root;
    this.applicationYaml = yaml(root.resolve("control-plane/src/main/resources/application.yaml"));
    this.controlPlaneVariables = controlPlaneVariables();
    this.ratelimitVariables = ratelimitVariables();
    this.ratelimitIgnored = ratelimitIgnored();
    this.envoyVariables = envoyVariables();
  }

  /** Whether the component reads the variable (for Spring: one of its own prefixes counts). */
  boolean reads(Component component, String name) {
    if (JVM_VARIABLES.contains(name) && component != Component.ENVOY) {
      return true;
    }
    return switch (component) {
      case CONTROL_PLANE ->
          controlPlaneVariables.containsKey(name)
              || SPRING_PREFIXES.stream().anyMatch(name::startsWith);
      case RATELIMIT -> ratelimitVariables.containsKey(name) && !ratelimitIgnored.contains(name);
      case ENVOY -> envoyVariables.containsKey(name);
      case OTHER -> true;
    };
  }

  /** A reference variable the rate-limit service accepts but ignores (Settings.UNSUPPORTED). */
  boolean ignoredByRatelimit(String name) {
    return ratelimitIgnored.contains(name);
  }

  /** The code's default for a variable, when it has one. */
  Optional<String> defaultOf(Component component, String name) {
    Map<String, String> defaults =
        switch (component) {
          case CONTROL_PLANE -> controlPlaneVariables;
          case RATELIMIT -> ratelimitVariables;
          case ENVOY -> envoyVariables;
          case OTHER -> Map.of();
        };
    return Optional.ofNullable(defaults.get(name)).filter(v -> !v.isEmpty());
  }

  /** The control plane's REST port: {@code server.port} of application.yaml. */
  int controlPlaneHttpPort(Map<String, String> env) {
    return Integer.parseInt(
        env.getOrDefault("SERVER_PORT", String.valueOf(path(applicationYaml, "server.port"))));
  }

  /** The HTTP paths the control plane serves for probes: exposed actuator endpoints. */
  boolean controlPlaneServes(String path) {
    Object include = path(applicationYaml, "management.endpoints.web.exposure.include");
    Set<String> exposed = new LinkedHashSet<>();
    if (include != null) {
      for (String s : include.toString().split(",")) {
        exposed.add(s.trim());
      }
    }
    boolean probes =
        Boolean.TRUE.equals(path(applicationYaml, "management.endpoint.health.probes.enabled"));
    if (path.equals("/actuator/health/liveness") || path.equals("/actuator/health/readiness")) {
      return exposed.contains("health") && probes;
    }
    Matcher m = Pattern.compile("/actuator/(\\w+)").matcher(path);
    return m.matches() && exposed.contains(m.group(1));
  }

  /** The rate-limit service's HTTP paths and the handler each runs (from HttpEndpoints). */
  Map<String, String> ratelimitHttpPaths() {
    String source =
        read(
            root.resolve(
                "ratelimit-service/src/main/java/io/tollgate/ratelimit/server/HttpEndpoints.java"));
    Map<String, String> paths = new LinkedHashMap<>();
    Matcher m = CONTEXT.matcher(source);
    while (m.find()) {
      paths.put(m.group(1), m.group(2));
    }
    paths.remove("/");
    return paths;
  }

  /** The paths the Envoy stats listener routes (bootstrap.yaml, listener tollgate_stats). */
  Set<String> envoyStatsPaths() {
    String template = read(root.resolve("envoy/bootstrap.yaml"));
    Map<String, Object> bootstrap = yaml(PLACEHOLDER.matcher(template).replaceAll("0"));
    Set<String> paths = new LinkedHashSet<>();
    for (Object listener : list(path(bootstrap, "static_resources.listeners"))) {
      if (!"tollgate_stats".equals(((Map<?, ?>) listener).get("name"))) {
        continue;
      }
      collect(listener, "path", paths);
    }
    return paths;
  }

  /**
   * The interpreter run-envoy.sh needs (its shebang), which the Envoy image must therefore have.
   */
  String envoyScriptInterpreter() {
    String first = read(root.resolve("envoy/run-envoy.sh")).lines().findFirst().orElse("");
    return first.replaceFirst("^#!\\s*(/usr/bin/env\\s+)?", "").trim();
  }

  /** The destination of the Dockerfile's COPY of a jar, if the Dockerfile exists. */
  Optional<String> dockerfileJar(Component component) {
    Path dockerfile = root.resolve(component.dockerfile);
    if (component == Component.OTHER || !Files.isRegularFile(dockerfile)) {
      return Optional.empty();
    }
    Matcher m = Pattern.compile("(?m)^COPY\\s.*\\s(\\S+\\.jar)\\s*$").matcher(read(dockerfile));
    String jar = null;
    while (m.find()) {
      jar = m.group(1);
    }
    return Optional.ofNullable(jar);
  }

  /** The Dockerfile's ENV settings ({@code ENV A=1 B=2}, continued lines included). */
  Map<String, String> dockerfileEnv(Component component) {
    Path dockerfile = root.resolve(component.dockerfile);
    Map<String, String> env = new LinkedHashMap<>();
    if (component == Component.OTHER || !Files.isRegularFile(dockerfile)) {
      return env;
    }
    String text = read(dockerfile).replace("\\\n", " ");
    Matcher line = Pattern.compile("(?m)^ENV\\s+(.*)$").matcher(text);
    while (line.find()) {
      Matcher kv =
          Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)").matcher(line.group(1));
      while (kv.find()) {
        env.put(kv.group(1), kv.group(2).replaceAll("^\"|\"$", ""));
      }
    }
    return env;
  }

  /** The Dockerfile's ENTRYPOINT in exec form, if any. */
  List<String> dockerfileEntrypoint(Component component) {
    Path dockerfile = root.resolve(component.dockerfile);
    if (component == Component.OTHER || !Files.isRegularFile(dockerfile)) {
      return List.of();
    }
    Matcher m = Pattern.compile("(?m)^ENTRYPOINT\\s+\\[(.*)]\\s*$").matcher(read(dockerfile));
    List<String> out = new ArrayList<>();
    if (m.find()) {
      Matcher arg = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1));
      while (arg.find()) {
        out.add(arg.group(1));
      }
    }
    return out;
  }

  private Map<String, String> controlPlaneVariables() {
    Map<String, String> names = new LinkedHashMap<>();
    String source =
        read(
            root.resolve(
                "control-plane/src/main/java/io/tollgate/controlplane/ControlPlaneSettings.java"));
    Map<String, String> records = records(source);
    Matcher prefix =
        Pattern.compile(
                "@ConfigurationProperties\\(\"(\\w+)\"\\)(?:\\s*@\\w+)*\\s*public record (\\w+)")
            .matcher(source);
    if (prefix.find()) {
      addRecord(records, prefix.group(2), List.of(prefix.group(1)), names);
    }
    // ${NAME:default} placeholders of application.yaml read the environment directly.
    Matcher placeholder =
        Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(:([^}]*))?}")
            .matcher(read(root.resolve("control-plane/src/main/resources/application.yaml")));
    while (placeholder.find()) {
      names.put(placeholder.group(1), placeholder.group(3) == null ? "" : placeholder.group(3));
    }
    return names;
  }

  /** Relaxed binding: {@code failureModeDeny} binds from FAILUREMODEDENY and FAILURE_MODE_DENY. */
  private static void addRecord(
      Map<String, String> records, String type, List<String> prefix, Map<String, String> names) {
    for (String component : splitTopLevel(records.get(type))) {
      Matcher d = DEFAULT_VALUE.matcher(component);
      String defaultValue = d.find() ? d.group(1) : "";
      String[] words = ANNOTATION.matcher(component).replaceAll(" ").trim().split("\\s+");
      if (words.length < 2) {
        continue;
      }
      String name = words[words.length - 1];
      String simpleType = words[words.length - 2].replaceFirst(".*\\.", "").replaceAll("<.*", "");
      List<String> dashed = new ArrayList<>(prefix);
      dashed.add(name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT));
      if (records.containsKey(simpleType)) {
        addRecord(records, simpleType, dashed, names);
        continue;
      }
      String joined = String.join("_", dashed).toUpperCase(Locale.ROOT);
      names.put(joined.replace("-", ""), defaultValue);
      names.put(joined.replace("-", "_"), defaultValue);
    }
  }

  /** Record name to the text between its parentheses. */
  private static Map<String, String> records(String source) {
    Map<String, String> records = new LinkedHashMap<>();
    Matcher m = RECORD.matcher(source);
    while (m.find()) {
      int depth = 1;
      int at = m.end();
      while (depth > 0 && at < source.length()) {
        char c = source.charAt(at++);
        depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      }
      records.put(m.group(1), source.substring(m.end(), at - 1));
    }
    return records;
  }

  private static List<String> splitTopLevel(String text) {
    List<String> parts = new ArrayList<>();
    if (text == null) {
      return parts;
    }
    int depth = 0;
    StringBuilder current = new StringBuilder();
    for (char c : text.toCharArray()) {
      depth += c == '(' || c == '<' ? 1 : c == ')' || c == '>' ? -1 : 0;
      if (c == ',' && depth == 0) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    if (!current.toString().isBlank()) {
      parts.add(current.toString());
    }
    return parts;
  }

  private Map<String, String> ratelimitVariables() {
    Map<String, String> names = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(root.resolve("ratelimit-service/src/main/java"))) {
      for (Path file :
          (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
        Matcher m = ENV_READ.matcher(read(file));
        while (m.find()) {
          String value = m.group(2).trim().replaceAll("^\"|\"$", "");
          names.put(m.group(1), value.matches("[0-9_]+") ? value.replace("_", "") : value);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  private Set<String> ratelimitIgnored() {
    String source =
        read(
            root.resolve(
                "ratelimit-service/src/main/java/io/tollgate/ratelimit/settings/Settings.java"));
    Matcher block = Pattern.compile("UNSUPPORTED\\s*=\\s*List\\.of\\(([^;]*)\\);").matcher(source);
    Set<String> names = new LinkedHashSet<>();
    if (block.find()) {
      Matcher name = Pattern.compile("\"([A-Z0-9_]+)\"").matcher(block.group(1));
      while (name.find()) {
        names.add(name.group(1));
      }
    }
    return names;
  }

  /**
   * Variables run-envoy.sh documents in its header and reads (with its defaults), and the
   * placeholders of the templates beside it, which render.sh fills from the environment.
   */
  private Map<String, String> envoyVariables() {
    Map<String, String> names = new LinkedHashMap<>();
    String script = read(root.resolve("envoy/run-envoy.sh"));
    for (String line :
        (Iterable<String>) script.lines().takeWhile(l -> l.startsWith("#"))::iterator) {
      Matcher documented = HEADER_NAMES.matcher(line);
      if (documented.find()) {
        for (String name : documented.group(1).split("\\s*[,/]\\s*")) {
          names.putIfAbsent(name.trim(), "");
        }
      }
    }
    Matcher m = SHELL_VAR.matcher(script);
    while (m.find()) {
      String defaultValue = m.group(3) == null ? "" : m.group(3);
      names.merge(m.group(1), defaultValue, (a, b) -> a.isEmpty() ? b : a);
    }
    try (Stream<Path> templates = Files.list(root.resolve("envoy"))) {
      for (Path template :
          (Iterable<Path>)
              templates.filter(f -> f.toString().endsWith(".yaml")).sorted()::iterator) {
        Matcher p = PLACEHOLDER.matcher(read(template));
        while (p.find()) {
          names.putIfAbsent(p.group(1), "");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  private static void collect(Object node, String key, Set<String> out) {
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (key.equals(e.getKey()) && e.getValue() instanceof String s) {
          out.add(s);
        }
        collect(e.getValue(), key, out);
      }
    } else if (node instanceof List<?> items) {
      for (Object item : items) {
        collect(item, key, out);
      }
    }
  }

  static Object path(Map<String, Object> yaml, String dotted) {
    Object node = yaml;
    for (String key : dotted.split("\\.")) {
      if (!(node instanceof Map<?, ?> map)) {
        return null;
      }
      node = map.get(key);
    }
    return node;
  }

  static List<?> list(Object node) {
    return node instanceof List<?> l ? l : List.of();
  }

  static Map<String, Object> yaml(Path file) {
    return yaml(read(file));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> yaml(String text) {
    Object doc = new Yaml(new LoaderOptions()).load(text);
    return doc instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
