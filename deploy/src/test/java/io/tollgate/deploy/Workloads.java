package io.tollgate.deploy;

import io.tollgate.deploy.CodeContract.Component;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The containers a manifest runs, in one shape for Kubernetes objects and compose services, and the
 * names they reach each other by.
 */
final class Workloads {

  /**
   * One container.
   *
   * @param where what a violation names: source file or overlay, workload and container
   * @param command the command replacing the image's entrypoint; null when the image's runs
   * @param env name to value; a value from a Secret or field shows as {@code <secret name/key>}
   * @param ports container port by name (compose: by number as text)
   * @param spec the container (k8s) or the service (compose) as parsed
   * @param pod the pod spec (k8s), empty for compose
   * @param labels the pod's labels (k8s), empty for compose
   */
  record Container(
      String where,
      String workloadKind,
      String workloadName,
      Component component,
      String image,
      List<String> command,
      Map<String, String> env,
      Map<String, Integer> ports,
      Map<String, Object> spec,
      Map<String, Object> pod,
      Map<String, String> labels) {

    boolean isRedis() {
      return image != null && image.replaceFirst(":[^/:]*$", "").endsWith("redis");
    }

    boolean isPostgres() {
      return image != null && image.replaceFirst(":[^/:]*$", "").endsWith("postgres");
    }

    /** A port by name, or the number itself. */
    Optional<Integer> port(Object nameOrNumber) {
      if (nameOrNumber instanceof Integer i) {
        return Optional.of(i);
      }
      return Optional.ofNullable(ports.get(String.valueOf(nameOrNumber)));
    }
  }

  private Workloads() {}

  static final List<String> POD_OWNERS = List.of("Deployment", "StatefulSet", "DaemonSet", "Job");

  /** Every container of every pod template in rendered Kubernetes objects. */
  static List<Container> ofKubernetes(String source, List<Map<String, Object>> objects) {
    List<Container> out = new ArrayList<>();
    for (Map<String, Object> object : objects) {
      String kind = String.valueOf(object.get("kind"));
      if (!POD_OWNERS.contains(kind)) {
        continue;
      }
      String name = String.valueOf(CodeContract.path(object, "metadata.name"));
      Map<String, Object> pod = map(CodeContract.path(object, "spec.template.spec"));
      Map<String, String> labels =
          stringMap(CodeContract.path(object, "spec.template.metadata.labels"));
      for (Object c : CodeContract.list(pod.get("containers"))) {
        Map<String, Object> container = map(c);
        String image = (String) container.get("image");
        Map<String, String> env = new LinkedHashMap<>();
        for (Object e : CodeContract.list(container.get("env"))) {
          Map<String, Object> var = map(e);
          Object value = var.get("value");
          if (value == null) {
            Map<String, Object> ref = map(CodeContract.path(var, "valueFrom.secretKeyRef"));
            value =
                ref.isEmpty()
                    ? "<field>"
                    : "<secret " + ref.get("name") + "/" + ref.get("key") + ">";
          }
          env.put(String.valueOf(var.get("name")), String.valueOf(value));
        }
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (Object p : CodeContract.list(container.get("ports"))) {
          Map<String, Object> port = map(p);
          Integer number = (Integer) port.get("containerPort");
          ports.put(String.valueOf(port.getOrDefault("name", number)), number);
          ports.put(String.valueOf(number), number);
        }
        out.add(
            new Container(
                source + " " + kind + "/" + name + " container " + container.get("name"),
                kind,
                name,
                Component.of(image, ""),
                image,
                container.containsKey("command") ? strings(container.get("command")) : null,
                env,
                ports,
                container,
                pod,
                labels));
      }
    }
    return out;
  }

  private static final Pattern INTERPOLATION =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*):?-([^}]*)}");

  /** Compose's {@code ${NAME:-default}} as its default; required ones stay as written. */
  static String interpolate(String value) {
    return value == null
        ? null
        : INTERPOLATION.matcher(value).replaceAll(m -> Matcher.quoteReplacement(m.group(2)));
  }

  /** Every service of a compose file. */
  static List<Container> ofCompose(String source, Map<String, Object> compose) {
    List<Container> out = new ArrayList<>();
    for (Map.Entry<String, Object> e : map(compose.get("services")).entrySet()) {
      Map<String, Object> service = map(e.getValue());
      String image = interpolate((String) service.get("image"));
      Object build = service.get("build");
      String dockerfile = build instanceof Map<?, ?> b ? String.valueOf(b.get("dockerfile")) : "";
      Map<String, String> env = new LinkedHashMap<>();
      Object environment = service.get("environment");
      if (environment instanceof Map<?, ?> m) {
        m.forEach(
            (k, v) -> env.put(String.valueOf(k), v == null ? "" : interpolate(String.valueOf(v))));
      } else {
        for (Object item : CodeContract.list(environment)) {
          String[] kv = String.valueOf(item).split("=", 2);
          env.put(kv[0], kv.length > 1 ? interpolate(kv[1]) : "");
        }
      }
      Object entrypoint = service.get("entrypoint");
      out.add(
          new Container(
              source + " service " + e.getKey(),
              "service",
              e.getKey(),
              Component.of(image, dockerfile),
              image,
              entrypoint == null ? null : strings(entrypoint),
              env,
              Map.of(),
              service,
              Map.of(),
              Map.of()));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node) {
    return node instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  static List<String> strings(Object node) {
    if (node instanceof String s) {
      return List.of(s.split("\\s+"));
    }
    List<String> out = new ArrayList<>();
    for (Object o : CodeContract.list(node)) {
      out.add(String.valueOf(o));
    }
    return out;
  }

  static Map<String, String> stringMap(Object node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
    }
    return out;
  }
}
