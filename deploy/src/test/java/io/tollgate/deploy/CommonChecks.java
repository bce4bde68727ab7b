package io.tollgate.deploy;

import io.tollgate.deploy.CodeContract.Component;
import io.tollgate.deploy.ManifestCrossCheckIT.Violations;
import io.tollgate.deploy.Workloads.Container;
import java.util.List;
import java.util.Optional;

/**
 * Rules for one container that hold in compose and Kubernetes alike: its image, its command, the
 * variables it sets (read by the code) and those its place in the topology needs.
 */
final class CommonChecks {

  private final CodeContract code;
  private final Topology topology;
  private final Violations violations;

  CommonChecks(CodeContract code, Topology topology, Violations violations) {
    this.code = code;
    this.topology = topology;
    this.violations = violations;
  }

  void check(Container c) {
    if (c.isRedis()) {
      require(c, redisRequiresPassword(c), "Redis runs without --requirepass: anyone may count");
    }
    if (c.component() == Component.OTHER) {
      return;
    }
    require(
        c,
        c.component().fullImage().equals(c.image()),
        (c.image() == null ? "builds an unnamed image" : "image " + c.image())
            + ", not "
            + c.component().fullImage()
            + " (what make images builds and k8s runs)");
    for (String name : c.env().keySet()) {
      if (c.component() == Component.RATELIMIT && code.ignoredByRatelimit(name)) {
        require(c, false, "sets " + name + ", which the rate-limit service accepts but ignores");
      } else {
        require(
            c,
            code.reads(c.component(), name),
            "sets " + name + ", which " + c.component() + " does not read");
      }
    }
    switch (c.component()) {
      case CONTROL_PLANE -> controlPlane(c);
      case RATELIMIT -> ratelimit(c);
      case ENVOY -> envoy(c);
      default -> {}
    }
  }

  private void controlPlane(Container c) {
    javaCommand(c);
    String ratelimit = effective(c, "TOLLGATE_RATELIMIT_ADDRESS");
    require(
        c,
        c.env().containsKey("TOLLGATE_RATELIMIT_ADDRESS"),
        "needs TOLLGATE_RATELIMIT_ADDRESS: unset, Envoy calls its own loopback for every"
            + " rate-limit decision and, failing open, enforces no limit");
    if (c.env().containsKey("TOLLGATE_RATELIMIT_ADDRESS")) {
      Optional<Topology.Target> target =
          topology.resolve(ratelimit, Integer.parseInt(effective(c, "TOLLGATE_RATELIMIT_PORT")));
      require(
          c,
          target.filter(t -> t.container().component() == Component.RATELIMIT).isPresent(),
          "TOLLGATE_RATELIMIT_ADDRESS="
              + ratelimit
              + ":"
              + effective(c, "TOLLGATE_RATELIMIT_PORT")
              + " reaches no rate-limit service");
      require(
          c,
          target.map(Topology.Target::headless).orElse(true),
          "TOLLGATE_RATELIMIT_ADDRESS="
              + ratelimit
              + " is not a headless Service: Envoy would pin each connection to one pod");
    }
    if (!loopback(effective(c, "TOLLGATE_XDS_ADDRESS"))) {
      for (String name :
          List.of("TOLLGATE_XDS_TLS_CERT", "TOLLGATE_XDS_TLS_KEY", "TOLLGATE_XDS_TLS_CLIENT_CA")) {
        require(
            c,
            c.env().containsKey(name),
            "binds gRPC (ADS, access logs) beyond loopback without " + name + " (mutual TLS)");
      }
    }
    for (String name :
        List.of(
            "TOLLGATE_RATELIMIT_TLS_CERT",
            "TOLLGATE_RATELIMIT_TLS_KEY",
            "TOLLGATE_RATELIMIT_TLS_CA")) {
      require(
          c,
          c.env().containsKey(name),
          "Envoy calls the rate-limit services in plaintext: set " + name + " (mutual TLS)");
    }
    if (!loopback(effective(c, "SERVER_ADDRESS"))) {
      require(
          c,
          c.env().containsKey("TOLLGATE_ADMIN_TOKEN"),
          "binds REST beyond loopback without TOLLGATE_ADMIN_TOKEN");
    }
    if (topology.scaled(c)) {
      require(
          c,
          c.env().containsKey("TOLLGATE_XDS_MAX_CONNECTION_AGE"),
          "scales out without TOLLGATE_XDS_MAX_CONNECTION_AGE: streams never move to new replicas");
      require(
          c,
          !effective(c, "TOLLGATE_DB_URL").startsWith("jdbc:h2:"),
          "scales out on H2 (" + effective(c, "TOLLGATE_DB_URL") + "): each replica its own rules");
    }
  }

  private void ratelimit(Container c) {
    javaCommand(c);
    if ("GRPC_XDS_SOTW".equals(effective(c, "CONFIG_TYPE"))) {
      String url = effective(c, "CONFIG_GRPC_XDS_SERVER_URL");
      require(
          c,
          topology
              .resolve(url)
              .filter(t -> t.container().component() == Component.CONTROL_PLANE)
              .isPresent(),
          "CONFIG_GRPC_XDS_SERVER_URL=" + url + " reaches no control plane gRPC port");
      require(
          c,
          "true".equals(effective(c, "CONFIG_GRPC_XDS_SERVER_USE_TLS")),
          "streams its config in plaintext: set CONFIG_GRPC_XDS_SERVER_USE_TLS=true");
      for (String name :
          List.of(
              "CONFIG_GRPC_XDS_CLIENT_TLS_CERT",
              "CONFIG_GRPC_XDS_CLIENT_TLS_KEY",
              "CONFIG_GRPC_XDS_SERVER_TLS_CACERT")) {
        require(
            c, c.env().containsKey(name), "needs " + name + " for mutual TLS to the control plane");
      }
    }
    require(
        c,
        "true".equals(effective(c, "GRPC_SERVER_USE_TLS"))
            && c.env().containsKey("GRPC_CLIENT_TLS_CACERT"),
        "serves ShouldRateLimit to clients without a certificate: set GRPC_SERVER_USE_TLS=true and"
            + " GRPC_CLIENT_TLS_CACERT (mutual TLS)");
    boolean redis = "redis".equalsIgnoreCase(effective(c, "BACKEND_TYPE"));
    if (topology.scaled(c)) {
      require(c, redis, "scales out with BACKEND_TYPE=memory: each replica counts alone");
    }
    if (redis) {
      String url = effective(c, "REDIS_URL");
      Optional<Topology.Target> target = topology.resolve(url);
      require(
          c,
          target.filter(t -> t.container().isRedis()).isPresent(),
          "REDIS_URL=" + url + " reaches no Redis");
      if (target.filter(t -> redisRequiresPassword(t.container())).isPresent()) {
        require(
            c,
            c.env().containsKey("REDIS_AUTH"),
            "needs REDIS_AUTH: its Redis requires a password");
      }
    }
  }

  private void envoy(Container c) {
    require(
        c,
        c.command() == null,
        "replaces the image's entrypoint (run-envoy.sh as a non-root user) with " + c.command());
    String host = effective(c, "TOLLGATE_XDS_HOST");
    String port = effective(c, "TOLLGATE_XDS_PORT");
    require(
        c,
        topology
            .resolve(host + ":" + port)
            .filter(t -> t.container().component() == Component.CONTROL_PLANE)
            .isPresent(),
        "TOLLGATE_XDS_HOST:PORT=" + host + ":" + port + " reaches no control plane gRPC port");
    for (String name : List.of("ENVOY_XDS_TLS_CERT", "ENVOY_XDS_TLS_KEY", "ENVOY_XDS_TLS_CA")) {
      require(
          c, c.env().containsKey(name), "needs " + name + " for mutual TLS to the control plane");
    }
    require(
        c,
        loopback(effective(c, "ENVOY_ADMIN_ADDRESS")),
        "ENVOY_ADMIN_ADDRESS="
            + effective(c, "ENVOY_ADMIN_ADDRESS")
            + ": the admin API (quitquitquit, runtime_modify) must stay on loopback; scrape and probe"
            + " the stats listener (ENVOY_STATS_ADDRESS)");
  }

  /** A JVM command that replaces the image's must still start the jar the image holds. */
  private void javaCommand(Container c) {
    if (c.command() == null) {
      return;
    }
    require(c, "java".equals(c.command().get(0)), "command " + c.command() + " does not run java");
    int jar = c.command().indexOf("-jar");
    Optional<String> imageJar = code.dockerfileJar(c.component());
    require(
        c,
        jar >= 0
            && jar + 1 < c.command().size()
            && imageJar.map(j -> j.equals(c.command().get(jar + 1))).orElse(true),
        "command " + c.command() + " does not start the image's jar " + imageJar.orElse("?"));
  }

  /** The value the process sees: the manifest's, else the image's ENV, else the code's default. */
  String effective(Container c, String name) {
    String value = c.env().get(name);
    if (value == null) {
      value = code.dockerfileEnv(c.component()).get(name);
    }
    return value != null ? value : code.defaultOf(c.component(), name).orElse("");
  }

  static boolean loopback(String address) {
    return address.startsWith("127.") || address.equals("localhost") || address.equals("::1");
  }

  static boolean redisRequiresPassword(Container redis) {
    List<String> args =
        Workloads.strings(
            redis.spec().containsKey("args")
                ? redis.spec().get("args")
                : redis.spec().get("command"));
    return args.contains("--requirepass");
  }

  private void require(Container c, boolean ok, String message) {
    violations.require(ok, c.where(), message);
  }
}
