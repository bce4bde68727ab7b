package io.tollgate.deploy;

import io.tollgate.deploy.Workloads.Container;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Who a host name and port reach: a Kubernetes Service's pods, or a compose service. */
final class Topology {

  /** The container a name and port lead to, and whether the name lists every pod (headless). */
  record Target(Container container, boolean headless) {}

  private final List<Map<String, Object>> objects;
  private final List<Container> containers;
  private final boolean kubernetes;

  private Topology(
      List<Map<String, Object>> objects, List<Container> containers, boolean kubernetes) {
    this.objects = objects;
    this.containers = containers;
    this.kubernetes = kubernetes;
  }

  static Topology ofKubernetes(List<Map<String, Object>> objects, List<Container> containers) {
    return new Topology(objects, containers, true);
  }

  static Topology ofCompose(List<Container> containers) {
    return new Topology(List.of(), containers, false);
  }

  boolean kubernetes() {
    return kubernetes;
  }

  List<Container> containers() {
    return containers;
  }

  /** {@code host:port} to a target, if anything answers there. */
  Optional<Target> resolve(String hostAndPort) {
    int colon = hostAndPort.lastIndexOf(':');
    if (colon < 0) {
      return Optional.empty();
    }
    try {
      return resolve(
          hostAndPort.substring(0, colon), Integer.parseInt(hostAndPort.substring(colon + 1)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  Optional<Target> resolve(String host, int port) {
    String name = host.split("\\.")[0];
    if (!kubernetes) {
      // Compose: the service name, on the container's own port; its DNS lists every replica.
      return containers.stream()
          .filter(c -> c.workloadName().equals(name) || aliases(c).contains(name))
          .findFirst()
          .map(c -> new Target(c, true));
    }
    for (Map<String, Object> service : objectsOf("Service")) {
      if (!name.equals(CodeContract.path(service, "metadata.name"))) {
        continue;
      }
      Map<String, String> selector =
          Workloads.stringMap(CodeContract.path(service, "spec.selector"));
      boolean headless = "None".equals(CodeContract.path(service, "spec.clusterIP"));
      for (Object p : CodeContract.list(CodeContract.path(service, "spec.ports"))) {
        Map<String, Object> servicePort = Workloads.map(p);
        if (!Integer.valueOf(port).equals(servicePort.get("port"))) {
          continue;
        }
        Object target = servicePort.getOrDefault("targetPort", port);
        for (Container c : containers) {
          if (matches(selector, c.labels()) && c.port(target).isPresent()) {
            return Optional.of(new Target(c, headless));
          }
        }
      }
    }
    return Optional.empty();
  }

  /** A compose service's network aliases, which resolve to it like its name. */
  private static List<String> aliases(Container c) {
    List<String> out = new ArrayList<>();
    Object networks = c.spec().get("networks");
    if (networks instanceof Map<?, ?> m) {
      for (Object network : m.values()) {
        out.addAll(Workloads.strings(Workloads.map(network).get("aliases")));
      }
    }
    return out;
  }

  /** Whether more than one replica may run: an HPA or replicas above one. */
  boolean scaled(Container c) {
    if (!kubernetes) {
      Object replicas = CodeContract.path(c.spec(), "deploy.replicas");
      Object scale = c.spec().get("scale");
      return (replicas instanceof Integer r && r > 1) || (scale instanceof Integer s && s > 1);
    }
    for (Map<String, Object> hpa : objectsOf("HorizontalPodAutoscaler")) {
      if (c.workloadKind().equals(CodeContract.path(hpa, "spec.scaleTargetRef.kind"))
          && c.workloadName().equals(CodeContract.path(hpa, "spec.scaleTargetRef.name"))) {
        return true;
      }
    }
    return objectsOf(c.workloadKind()).stream()
        .filter(o -> c.workloadName().equals(CodeContract.path(o, "metadata.name")))
        .anyMatch(o -> CodeContract.path(o, "spec.replicas") instanceof Integer r && r > 1);
  }

  List<Map<String, Object>> objectsOf(String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
  }

  /** A label selector's matchLabels (or a Service's plain selector) against labels. */
  static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return labels.entrySet().containsAll(selector.entrySet());
  }
}
