package io.tollgate.deploy;

import io.tollgate.deploy.CodeContract.Component;
import io.tollgate.deploy.ManifestCrossCheckIT.Violations;
import io.tollgate.deploy.Workloads.Container;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rules only Kubernetes has: pod security, probes, resources, budgets, autoscalers, network
 * policies, references between objects, and the k8s copy of tollgate.yaml.
 */
final class KubernetesChecks {

  private static final long MIB = 1L << 20;

  /** JVM memory outside the heap (metaspace, threads, direct buffers): at least this much. */
  private static final long NON_HEAP_MIN = 256 * MIB;

  /**
   * Who may reach each pod port, by the NetworkPolicies: {@code app label/port name} to the exact
   * set of peers. A port missing here fails: every listening port needs a decision.
   */
  private static final Map<String, Set<String>> ALLOWED_PEERS =
      Map.of(
          "envoy/http", Set.of("anywhere"),
          "envoy/stats", Set.of("prometheus"),
          "control-plane/grpc", Set.of("app=envoy", "app=ratelimit"),
          "control-plane/http", Set.of("prometheus", "rest-client"),
          "ratelimit/grpc", Set.of("app=envoy"),
          "ratelimit/http", Set.of("prometheus"),
          "redis/redis", Set.of("app=ratelimit"),
          "postgres/postgres", Set.of("app=control-plane"));

  private static final Pattern CPU = Pattern.compile("(\\d+)(m?)");
  private static final Pattern MEMORY = Pattern.compile("(\\d+)(Ki|Mi|Gi)?");

  private final CodeContract code;
  private final Path root;
  private final Overlays.Rendered rendered;
  private final List<Container> containers;
  private final Topology topology;
  private final Violations violations;
  private final CommonChecks common;

  KubernetesChecks(
      CodeContract code,
      Path root,
      Overlays.Rendered rendered,
      List<Container> containers,
      Topology topology,
      Violations violations) {
    this.code = code;
    this.root = root;
    this.rendered = rendered;
    this.containers = containers;
    this.topology = topology;
    this.violations = violations;
    this.common = new CommonChecks(code, topology, violations);
  }

  void check() {
    for (Container c : containers) {
      securityContext(c);
      resources(c);
      probes(c);
      mountedFiles(c);
      if (c.component() == Component.CONTROL_PLANE || c.component() == Component.RATELIMIT) {
        jvmHeap(c);
      }
      if (c.component() == Component.ENVOY) {
        envoy(c);
      }
    }
    budgetsAndAutoscalers();
    networkPolicies();
    namespaceAndReferences();
    tollgateYaml();
  }

  /**
   * Non-root, read-only root filesystem, no capabilities, RuntimeDefault seccomp, no escalation.
   */
  private void securityContext(Container c) {
    Map<String, Object> pod = Workloads.map(c.pod().get("securityContext"));
    Map<String, Object> own = Workloads.map(c.spec().get("securityContext"));
    Object nonRoot = own.getOrDefault("runAsNonRoot", pod.get("runAsNonRoot"));
    Object user = own.getOrDefault("runAsUser", pod.get("runAsUser"));
    Object seccomp =
        CodeContract.path(own, "seccompProfile.type") != null
            ? CodeContract.path(own, "seccompProfile.type")
            : CodeContract.path(pod, "seccompProfile.type");
    require(c, Boolean.TRUE.equals(nonRoot), "securityContext: runAsNonRoot is not true");
    require(c, !Integer.valueOf(0).equals(user), "securityContext: runAsUser 0");
    require(
        c,
        "RuntimeDefault".equals(seccomp),
        "securityContext: seccompProfile is not RuntimeDefault");
    require(
        c,
        Boolean.FALSE.equals(own.get("allowPrivilegeEscalation")),
        "securityContext: allowPrivilegeEscalation is not false");
    require(
        c,
        Boolean.TRUE.equals(own.get("readOnlyRootFilesystem")),
        "securityContext: readOnlyRootFilesystem is not true");
    require(
        c,
        Workloads.strings(CodeContract.path(own, "capabilities.drop")).contains("ALL"),
        "securityContext: capabilities do not drop ALL");
  }

  private void resources(Container c) {
    require(c, memoryLimit(c) > 0, "no memory limit");
    require(c, CodeContract.path(c.spec(), "resources.requests.cpu") != null, "no CPU request");
  }

  /** Readiness and liveness both, different, on ports and paths the program serves. */
  private void probes(Container c) {
    Map<String, Object> readiness = Workloads.map(c.spec().get("readinessProbe"));
    Map<String, Object> liveness = Workloads.map(c.spec().get("livenessProbe"));
    require(c, !readiness.isEmpty(), "no readinessProbe");
    require(c, !liveness.isEmpty(), "no livenessProbe");
    if (!readiness.isEmpty() && !liveness.isEmpty()) {
      require(
          c,
          !Objects.equals(handler(readiness), handler(liveness)),
          "liveness is the readiness check ("
              + handler(readiness)
              + "): a pod that is merely not"
              + " ready, waiting for config or draining, gets restarted");
    }
    for (String kind : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
      Map<String, Object> probe = Workloads.map(c.spec().get(kind));
      Object port =
          firstNonNull(
              CodeContract.path(probe, "httpGet.port"),
              CodeContract.path(probe, "tcpSocket.port"),
              CodeContract.path(probe, "grpc.port"));
      if (port != null) {
        require(c, c.port(port).isPresent(), kind + " port " + port + " is no container port");
      }
      Object path = CodeContract.path(probe, "httpGet.path");
      if (path != null) {
        probePath(c, kind, String.valueOf(path).replaceFirst("\\?.*", ""), port);
      }
    }
  }

  private void probePath(Container c, String kind, String path, Object port) {
    switch (c.component()) {
      case CONTROL_PLANE -> {
        require(c, code.controlPlaneServes(path), kind + " path " + path + " is not served");
        require(
            c,
            c.port(port).orElse(-1) == code.controlPlaneHttpPort(c.env()),
            kind + " port is not the REST/actuator port " + code.controlPlaneHttpPort(c.env()));
      }
      case RATELIMIT -> {
        Map<String, String> paths = code.ratelimitHttpPaths();
        require(
            c,
            paths.containsKey(path),
            kind + " path " + path + " is not one of " + paths.keySet());
        if (!kind.equals("readinessProbe")) {
          require(
              c,
              !"healthcheck".equals(paths.get(path)),
              kind
                  + " "
                  + path
                  + " answers 500 until the first config arrives: a late control"
                  + " plane would restart every pod in a loop (readiness only)");
        }
        require(
            c,
            c.port(port).map(String::valueOf).orElse("").equals(common.effective(c, "PORT")),
            kind + " port is not the HTTP port PORT=" + common.effective(c, "PORT"));
      }
      case ENVOY -> {
        require(
            c,
            code.envoyStatsPaths().contains(path),
            kind
                + " path "
                + path
                + " is not served by the stats listener "
                + code.envoyStatsPaths());
        require(
            c,
            c.port(port)
                .map(String::valueOf)
                .orElse("")
                .equals(common.effective(c, "ENVOY_STATS_PORT")),
            kind + " port is not ENVOY_STATS_PORT (the admin is on loopback)");
        if (kind.equals("livenessProbe")) {
          require(
              c,
              !path.equals("/ready"),
              "livenessProbe on /ready: 503 while draining or waiting for config");
        }
      }
      default -> {}
    }
  }

  /**
   * Files the environment names (config, certificates, keys) are under one of the mounts; the
   * control plane's TOLLGATE_RATELIMIT_TLS_* are files Envoy reads, so under every Envoy's mounts.
   */
  private void mountedFiles(Container c) {
    c.env()
        .forEach(
            (name, value) -> {
              boolean file =
                  name.matches(".*_(CERT|KEY|CA|CACERT|CLIENT_CA)$")
                      || name.equals("TOLLGATE_CONFIG");
              if (!file || !value.startsWith("/")) {
                return;
              }
              if (name.startsWith("TOLLGATE_RATELIMIT_TLS_")) {
                for (Container envoy : containers) {
                  if (envoy.component() == Component.ENVOY) {
                    require(
                        c,
                        mounted(envoy, value),
                        name + "=" + value + " is in no volume mount of Envoy " + mounts(envoy));
                  }
                }
              } else {
                require(
                    c,
                    mounted(c, value),
                    name + "=" + value + " is in no volume mount " + mounts(c));
              }
            });
  }

  private static boolean mounted(Container c, String file) {
    return mounts(c).stream().anyMatch(m -> file.startsWith(m.endsWith("/") ? m : m + "/"));
  }

  private static List<String> mounts(Container c) {
    List<String> mounts = new ArrayList<>();
    for (Object m : CodeContract.list(c.spec().get("volumeMounts"))) {
      mounts.add(String.valueOf(Workloads.map(m).get("mountPath")));
    }
    return mounts;
  }

  /**
   * Heap (MaxRAMPercentage of the limit, from JAVA_TOOL_OPTIONS or the command; the JVM's default
   * is 25) leaves the JVM room for everything else.
   */
  private void jvmHeap(Container c) {
    // JAVA_TOOL_OPTIONS is read first, so a flag on the command line wins.
    List<String> args =
        new ArrayList<>(List.of(common.effective(c, "JAVA_TOOL_OPTIONS").split("\\s+")));
    args.addAll(c.command() != null ? c.command() : code.dockerfileEntrypoint(c.component()));
    double percent = 25;
    for (String arg : args) {
      Matcher m = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)").matcher(arg);
      if (m.matches()) {
        percent = Double.parseDouble(m.group(1));
      }
    }
    long limit = memoryLimit(c);
    long heap = (long) (limit * percent / 100);
    long rest = limit - heap;
    require(
        c,
        limit > 0 && rest >= Math.max(NON_HEAP_MIN, limit * 3 / 10),
        "MaxRAMPercentage="
            + percent
            + " under a "
            + limit / MIB
            + "Mi limit leaves "
            + rest / MIB
            + "Mi outside the heap (needs max(256Mi, 30 %) for metaspace, threads, Netty)");
  }

  private void envoy(Container c) {
    String concurrency = c.env().getOrDefault("ENVOY_CONCURRENCY", "");
    long cpu = millicores(CodeContract.path(c.spec(), "resources.requests.cpu"));
    require(
        c,
        !concurrency.isEmpty() && cpu % 1000 == 0 && Long.parseLong(concurrency) * 1000 == cpu,
        "ENVOY_CONCURRENCY="
            + concurrency
            + " does not match the CPU request ("
            + cpu
            + "m): unset, Envoy runs one worker per node core");
    String heap = common.effective(c, "ENVOY_MAX_HEAP_BYTES");
    require(
        c,
        !heap.isEmpty() && Long.parseLong(heap) < memoryLimit(c),
        "ENVOY_MAX_HEAP_BYTES=" + heap + " is not below the memory limit");
    List<String> preStop =
        Workloads.strings(CodeContract.path(c.spec(), "lifecycle.preStop.exec.command"));
    require(c, !preStop.isEmpty(), "no preStop drain: SIGTERM drops connections at once");
    String hook = String.join(" ", preStop);
    require(
        c,
        !hook.matches("(?s).*\\b(wget|curl)\\b.*"),
        "preStop uses wget/curl, which the Envoy image lacks");
    if (!preStop.isEmpty()) {
      String interpreter = code.envoyScriptInterpreter();
      require(
          c,
          Path.of(preStop.get(0)).getFileName().toString().equals(interpreter),
          "preStop runs "
              + preStop.get(0)
              + "; only "
              + interpreter
              + " (run-envoy.sh's interpreter) is known to be in the image");
      require(
          c,
          hook.contains("/healthcheck/fail") && hook.contains("$ENVOY_ADMIN_PORT"),
          "preStop does not fail Envoy's health check through the admin port");
    }
    Object grace = c.pod().get("terminationGracePeriodSeconds");
    long drain =
        Long.parseLong(
            common.effective(c, "ENVOY_DRAIN_TIME_S").isEmpty()
                ? "5"
                : common.effective(c, "ENVOY_DRAIN_TIME_S"));
    require(
        c,
        grace instanceof Integer g && g > drain + 5,
        "terminationGracePeriodSeconds "
            + grace
            + " ends the preStop drain ("
            + (drain + 5)
            + " s)");
  }

  private void budgetsAndAutoscalers() {
    List<Map<String, Object>> budgets = topology.objectsOf("PodDisruptionBudget");
    for (Container c : containers) {
      boolean covered =
          budgets.stream()
              .anyMatch(
                  b ->
                      Topology.matches(
                          Workloads.stringMap(CodeContract.path(b, "spec.selector.matchLabels")),
                          c.labels()));
      require(c, covered, "no PodDisruptionBudget selects its pods");
    }
    for (Map<String, Object> hpa : topology.objectsOf("HorizontalPodAutoscaler")) {
      Object kind = CodeContract.path(hpa, "spec.scaleTargetRef.kind");
      Object name = CodeContract.path(hpa, "spec.scaleTargetRef.name");
      List<Map<String, Object>> targets =
          topology.objectsOf(String.valueOf(kind)).stream()
              .filter(o -> Objects.equals(name, CodeContract.path(o, "metadata.name")))
              .toList();
      violations.require(
          !targets.isEmpty(), where("HorizontalPodAutoscaler/" + name), "targets nothing");
      for (Map<String, Object> target : targets) {
        violations.require(
            CodeContract.path(target, "spec.replicas") == null,
            where(kind + "/" + name),
            "sets spec.replicas under an HPA: every apply resets the count");
      }
    }
  }

  /** A default deny, then exactly the expected peers for every container port. */
  private void networkPolicies() {
    List<Map<String, Object>> policies = topology.objectsOf("NetworkPolicy");
    boolean defaultDeny =
        policies.stream()
            .anyMatch(
                p ->
                    Workloads.map(CodeContract.path(p, "spec.podSelector")).isEmpty()
                        && Workloads.strings(CodeContract.path(p, "spec.policyTypes"))
                            .contains("Ingress")
                        && CodeContract.list(CodeContract.path(p, "spec.ingress")).isEmpty());
    violations.require(defaultDeny, where("NetworkPolicy"), "no default-deny ingress policy");
    for (Container c : containers) {
      String app = c.labels().getOrDefault("app", c.workloadName());
      for (Object p : CodeContract.list(c.spec().get("ports"))) {
        Map<String, Object> port = Workloads.map(p);
        String portName = String.valueOf(port.getOrDefault("name", port.get("containerPort")));
        Set<String> peers = new TreeSet<>();
        for (Map<String, Object> policy : policies) {
          if (!Topology.matches(
              Workloads.stringMap(CodeContract.path(policy, "spec.podSelector.matchLabels")),
              c.labels())) {
            continue;
          }
          for (Object r : CodeContract.list(CodeContract.path(policy, "spec.ingress"))) {
            Map<String, Object> rule = Workloads.map(r);
            if (rule.containsKey("ports")
                && !rulePortMatches(rule, portName, port.get("containerPort"))) {
              continue;
            }
            if (!rule.containsKey("from")) {
              peers.add("anywhere");
            }
            for (Object from : CodeContract.list(rule.get("from"))) {
              peers.add(peer(Workloads.map(from)));
            }
          }
        }
        Set<String> expected = ALLOWED_PEERS.get(app + "/" + portName);
        require(
            c,
            expected != null && expected.equals(peers),
            "port "
                + portName
                + " is reachable from "
                + (peers.isEmpty() ? "nobody" : peers)
                + ", expected "
                + (expected == null ? "(no decision for this port)" : new TreeSet<>(expected)));
      }
    }
  }

  private static boolean rulePortMatches(Map<String, Object> rule, String name, Object number) {
    for (Object p : CodeContract.list(rule.get("ports"))) {
      Object port = Workloads.map(p).get("port");
      if (port == null || name.equals(String.valueOf(port)) || Objects.equals(number, port)) {
        return true;
      }
    }
    return false;
  }

  private static String peer(Map<String, Object> from) {
    Map<String, String> pods =
        Workloads.stringMap(CodeContract.path(from, "podSelector.matchLabels"));
    if (from.containsKey("ipBlock")) {
      return "ip " + CodeContract.path(from, "ipBlock.cidr");
    }
    if (from.containsKey("namespaceSelector")) {
      return "prometheus".equals(pods.get("app.kubernetes.io/name"))
          ? "prometheus"
          : "namespace " + from;
    }
    if (pods.size() == 1 && pods.containsKey("app")) {
      return "app=" + pods.get("app");
    }
    if (pods.equals(Map.of("tollgate.io/rest-client", "true"))) {
      return "rest-client";
    }
    return "pods " + pods;
  }

  /**
   * The Namespace comes first and holds everything; every ConfigMap a pod uses is rendered (none
   * left manual), every Secret too or documented in the overlay's kustomization.yaml.
   */
  private void namespaceAndReferences() {
    List<Map<String, Object>> objects = rendered.objects();
    Object namespace = CodeContract.path(objects.get(0), "metadata.name");
    violations.require(
        "Namespace".equals(objects.get(0).get("kind")),
        where("objects"),
        "the first object is "
            + objects.get(0).get("kind")
            + ", not the Namespace: apply would"
            + " create objects in a namespace that does not exist yet");
    for (Map<String, Object> o : objects) {
      if (!Set.of("Namespace").contains(o.get("kind"))) {
        violations.require(
            Objects.equals(namespace, CodeContract.path(o, "metadata.namespace")),
            where(o.get("kind") + "/" + CodeContract.path(o, "metadata.name")),
            "is not in namespace " + namespace);
      }
    }
    Set<String> configMaps = names("ConfigMap");
    Set<String> secrets = names("Secret");
    String kustomization = CodeContract.read(rendered.directory().resolve("kustomization.yaml"));
    for (Container c : containers) {
      Set<String> usedConfigMaps = new LinkedHashSet<>();
      Set<String> usedSecrets = new LinkedHashSet<>();
      for (Object v : CodeContract.list(c.pod().get("volumes"))) {
        Map<String, Object> volume = Workloads.map(v);
        addIfPresent(usedConfigMaps, CodeContract.path(volume, "configMap.name"));
        addIfPresent(usedSecrets, CodeContract.path(volume, "secret.secretName"));
      }
      for (Object e : CodeContract.list(c.spec().get("env"))) {
        addIfPresent(
            usedSecrets, CodeContract.path(Workloads.map(e), "valueFrom.secretKeyRef.name"));
        addIfPresent(
            usedConfigMaps, CodeContract.path(Workloads.map(e), "valueFrom.configMapKeyRef.name"));
      }
      for (String name : usedConfigMaps) {
        require(
            c,
            configMaps.contains(name),
            "uses ConfigMap " + name + ", which is not rendered (manual)");
      }
      for (String name : usedSecrets) {
        require(
            c,
            secrets.contains(name)
                || Pattern.compile("create secret \\w+ " + Pattern.quote(name) + "\\b")
                    .matcher(kustomization)
                    .find(),
            "uses Secret "
                + name
                + ", neither generated nor documented (`kubectl create secret ... "
                + name
                + "`) in "
                + rendered.name()
                + "/kustomization.yaml");
      }
    }
  }

  /**
   * The control plane's tollgate.yaml is the repository's config/tollgate.yaml; behind an L4
   * balancer keeping the client address (externalTrafficPolicy: Local) no hop may be trusted.
   */
  private void tollgateYaml() {
    for (Container c : containers) {
      if (c.component() != Component.CONTROL_PLANE) {
        continue;
      }
      String file = common.effective(c, "TOLLGATE_CONFIG");
      String fileName = Path.of(file).getFileName().toString();
      Map<String, Object> config = mountedConfigMapFile(c, file);
      require(
          c,
          config != null,
          "no rendered ConfigMap carries " + fileName + " (TOLLGATE_CONFIG=" + file + ")");
      if (config == null) {
        continue;
      }
      Map<String, Object> repository = CodeContract.yaml(root.resolve("config/tollgate.yaml"));
      require(c, repository.equals(config), "its tollgate.yaml differs from config/tollgate.yaml");
      Object hops = CodeContract.path(config, "listener.xffNumTrustedHops");
      for (Map<String, Object> service : topology.objectsOf("Service")) {
        if ("LoadBalancer".equals(CodeContract.path(service, "spec.type"))) {
          require(
              c,
              hops == null || Integer.valueOf(0).equals(hops),
              "xffNumTrustedHops "
                  + hops
                  + " behind Service "
                  + CodeContract.path(service, "metadata.name")
                  + " (an L4 balancer adds no X-Forwarded-For): every client picks the IP it is counted under");
        }
      }
      Object listenerPort = CodeContract.path(config, "listener.port");
      for (Container envoy : containers) {
        if (envoy.component() == Component.ENVOY) {
          require(
              envoy,
              envoy.port("http").map(p -> p.equals(listenerPort)).orElse(false),
              "container port http is not tollgate.yaml's listener.port " + listenerPort);
        }
      }
    }
  }

  /** The content of a file the container sees through a ConfigMap volume, parsed as YAML. */
  private Map<String, Object> mountedConfigMapFile(Container c, String file) {
    Path path = Path.of(file);
    for (Object m : CodeContract.list(c.spec().get("volumeMounts"))) {
      Map<String, Object> mount = Workloads.map(m);
      if (!path.getParent().equals(Path.of(String.valueOf(mount.get("mountPath"))))) {
        continue;
      }
      for (Object v : CodeContract.list(c.pod().get("volumes"))) {
        Map<String, Object> volume = Workloads.map(v);
        Object configMap = CodeContract.path(volume, "configMap.name");
        if (!Objects.equals(volume.get("name"), mount.get("name")) || configMap == null) {
          continue;
        }
        for (Map<String, Object> cm : topology.objectsOf("ConfigMap")) {
          Object data = Workloads.map(cm.get("data")).get(path.getFileName().toString());
          if (configMap.equals(CodeContract.path(cm, "metadata.name")) && data != null) {
            return CodeContract.yaml(String.valueOf(data));
          }
        }
      }
    }
    return null;
  }

  private Set<String> names(String kind) {
    Set<String> names = new LinkedHashSet<>();
    for (Map<String, Object> o : topology.objectsOf(kind)) {
      names.add(String.valueOf(CodeContract.path(o, "metadata.name")));
    }
    return names;
  }

  private static void addIfPresent(Set<String> set, Object value) {
    if (value != null) {
      set.add(String.valueOf(value));
    }
  }

  private static Object handler(Map<String, Object> probe) {
    Map<String, Object> copy = new java.util.LinkedHashMap<>(probe);
    copy.keySet().retainAll(Set.of("httpGet", "tcpSocket", "grpc", "exec"));
    return copy;
  }

  private static Object firstNonNull(Object... values) {
    for (Object v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  static long memoryLimit(Container c) {
    Object limit = CodeContract.path(c.spec(), "resources.limits.memory");
    if (limit == null) {
      return 0;
    }
    Matcher m = MEMORY.matcher(String.valueOf(limit));
    if (!m.matches()) {
      return 0;
    }
    long value = Long.parseLong(m.group(1));
    return switch (m.group(2) == null ? "" : m.group(2)) {
      case "Ki" -> value << 10;
      case "Mi" -> value << 20;
      case "Gi" -> value << 30;
      default -> value;
    };
  }

  static long millicores(Object cpu) {
    Matcher m = CPU.matcher(String.valueOf(cpu));
    if (!m.matches()) {
      return -1;
    }
    long value = Long.parseLong(m.group(1));
    return m.group(2).isEmpty() ? value * 1000 : value;
  }

  private String where(String what) {
    return "k8s/" + rendered.name() + " " + what;
  }

  private void require(Container c, boolean ok, String message) {
    violations.require(ok, c.where(), message);
  }
}
