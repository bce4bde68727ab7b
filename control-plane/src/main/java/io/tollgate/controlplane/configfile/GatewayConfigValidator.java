package io.tollgate.controlplane.configfile;

import com.google.common.net.InetAddresses;
import io.tollgate.controlplane.access.AccessRule;
import io.tollgate.controlplane.access.validation.AccessRuleValidator;
import io.tollgate.controlplane.limits.InvalidRuleException;
import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.LimitRuleJson;
import io.tollgate.controlplane.limits.RuleViolation;
import io.tollgate.controlplane.limits.validation.LimitRuleValidator;
import io.tollgate.controlplane.regex.EnvoyRegex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The meanings of a {@link GatewayConfigFile} the schema cannot express: non-blank strings, names,
 * URLs, paths, regexes, durations, references between sections, unique names, and the limit rules
 * as the REST API checks them. Every problem is reported, as {@code <source>: <key>: <message>}.
 */
final class GatewayConfigValidator {

  static final String RESERVED_PREFIX = "tollgate_";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  private static final Pattern PATH = Pattern.compile("/[^\\s?#]*");
  private static final int MAX_REGEX_LENGTH = 1024;

  private final LimitRuleJson ruleJson;

  GatewayConfigValidator(LimitRuleJson ruleJson) {
    this.ruleJson = ruleJson;
  }

  List<String> problems(String source, GatewayConfigFile file) {
    Problems problems = new Problems();
    listener(file.listener(), problems);
    upstreams(file.upstreams(), problems);
    // Names written in the file, valid or not: a route naming a broken upstream is not "unknown".
    Map<String, Duration> declared = new HashMap<>();
    file.upstreams().forEach(u -> declared.putIfAbsent(u.name(), timeout(u)));
    routes(file.routes(), declared, new HashMap<>(), problems);
    limits(file.limits(), problems);
    access(file.access(), problems);
    return problems.list.stream().map(v -> source + ": " + v).toList();
  }

  /**
   * The checks of one element of {@code upstreams:}, each violation named relative to it ({@code
   * endpoints[1]}). Uniqueness of its name is the caller's to check.
   */
  static List<RuleViolation> upstream(GatewayConfigFile.Upstream upstream) {
    Problems problems = new Problems();
    upstreams(List.of(upstream), problems);
    return problems.relativeTo("upstreams[0]");
  }

  /**
   * The checks of one element of {@code routes:} in the context of a config (its upstreams and the
   * retry budgets its routes state), each violation named relative to it ({@code match.pathPrefix},
   * {@code upstream}).
   */
  static List<RuleViolation> route(GatewayConfigFile.Route route, GatewayConfig context) {
    Map<String, Duration> upstreams = new HashMap<>();
    context.upstreams().forEach(u -> upstreams.putIfAbsent(u.name(), u.timeout()));
    Map<String, StatedBudget> budgets = new HashMap<>();
    context.routes().stream()
        .filter(r -> !r.name().equals(route.name()))
        .forEach(
            r ->
                r.retries()
                    .budget()
                    .ifPresent(
                        b ->
                            budgets.putIfAbsent(
                                r.upstream(), new StatedBudget("route '" + r.name() + "'", b))));
    Problems problems = new Problems();
    routes(List.of(route), upstreams, budgets, problems);
    return problems.relativeTo("routes[0]");
  }

  /** The route's deadline when it states none: the upstream's, or the default if it is invalid. */
  private static Duration timeout(GatewayConfigFile.Upstream upstream) {
    return Optional.ofNullable(upstream.timeout())
        .flatMap(ConfigDurations::parse)
        .orElse(UpstreamSpec.DEFAULT_TIMEOUT);
  }

  /** The retry budget routes to one upstream state, and which route stated it first. */
  private record StatedBudget(String statedBy, RetrySpec.RetryBudget budget) {}

  private static void listener(GatewayConfigFile.Listener listener, Problems problems) {
    nonBlank(listener.address(), "listener.address", problems)
        .filter(address -> !InetAddresses.isInetAddress(address))
        .ifPresent(
            address ->
                problems.add("listener.address", "must be an IP address, got '" + address + "'"));
  }

  private static void upstreams(List<GatewayConfigFile.Upstream> upstreams, Problems problems) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < upstreams.size(); i++) {
      GatewayConfigFile.Upstream u = upstreams.get(i);
      String path = "upstreams[" + i + "]";
      name(u.name(), path, names, "upstream", problems);
      Optional<Boolean> tls = endpoints(u, path, problems);
      Optional<String> caFile = nonBlank(u.caFile(), path + ".caFile", problems);
      if (caFile.isPresent() && tls.isPresent() && !tls.get()) {
        problems.add(path + ".caFile", "applies only to https upstreams");
      }
      duration(u.connectTimeout(), path + ".connectTimeout", problems);
      duration(u.timeout(), path + ".timeout", problems);
      if (u.outlierDetection() != null) {
        duration(u.outlierDetection().interval(), path + ".outlierDetection.interval", problems);
        duration(
            u.outlierDetection().baseEjectionTime(),
            path + ".outlierDetection.baseEjectionTime",
            problems);
      }
      if (u.healthCheck() != null) {
        healthCheck(u.healthCheck(), path + ".healthCheck", problems);
      }
    }
  }

  /**
   * {@code url} or {@code endpoints}: valid URLs, one scheme, no address twice. Returns whether
   * they are https when they agree on a scheme.
   */
  private static Optional<Boolean> endpoints(
      GatewayConfigFile.Upstream u, String path, Problems problems) {
    if ((u.url() == null) == (u.endpoints() == null)) {
      problems.add(
          path, "needs exactly one of url, endpoints" + (u.url() == null ? "" : ", got both"));
      return Optional.empty();
    }
    Optional<Boolean> tls = Optional.empty();
    Set<UpstreamEndpoint> seen = new HashSet<>();
    for (Map.Entry<String, String> e : u.urls(path).entrySet()) {
      Optional<UpstreamUrl> url =
          nonBlank(e.getValue(), e.getKey(), problems)
              .flatMap(text -> url(text, e.getKey(), problems));
      if (url.isEmpty()) {
        continue;
      }
      UpstreamUrl parsed = url.get();
      if (tls.isEmpty()) {
        tls = Optional.of(parsed.tls());
      } else if (tls.get() != parsed.tls()) {
        problems.add(
            e.getKey(),
            "every endpoint must use the scheme of the first, "
                + (tls.get() ? "https" : "http")
                + " (TLS is per upstream)");
      }
      UpstreamEndpoint endpoint = new UpstreamEndpoint(parsed.host(), parsed.port());
      if (!seen.add(endpoint)) {
        problems.add(e.getKey(), "duplicate endpoint '" + endpoint.authority(parsed.tls()) + "'");
      }
    }
    return tls;
  }

  private static void healthCheck(GatewayConfigFile.HealthCheck h, String path, Problems problems) {
    nonBlank(h.path(), path + ".path", problems)
        .ifPresent(p -> urlPath(p, path + ".path", problems));
    Optional<Duration> interval = duration(h.interval(), path + ".interval", problems);
    Optional<Duration> timeout = duration(h.timeout(), path + ".timeout", problems);
    Duration effectiveInterval = interval.orElse(HealthCheckSpec.DEFAULT_INTERVAL);
    if (timeout.orElse(HealthCheckSpec.DEFAULT_TIMEOUT).compareTo(effectiveInterval) > 0) {
      problems.add(
          path + ".timeout",
          "must not exceed the interval (" + effectiveInterval.toMillis() + "ms)");
    }
  }

  /**
   * @param upstreams the known upstreams' names and timeouts
   * @param budgets the retry budget already stated per upstream (Envoy keeps one per cluster);
   *     filled by the routes checked here
   */
  private static void routes(
      List<GatewayConfigFile.Route> routes,
      Map<String, Duration> upstreams,
      Map<String, StatedBudget> budgets,
      Problems problems) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < routes.size(); i++) {
      GatewayConfigFile.Route r = routes.get(i);
      String path = "routes[" + i + "]";
      name(r.name(), path, names, "route", problems);
      match(r.match(), path + ".match", problems);
      Optional<Duration> upstreamTimeout =
          nonBlank(r.upstream(), path + ".upstream", problems)
              .flatMap(
                  name -> {
                    if (!upstreams.containsKey(name)) {
                      problems.add(path + ".upstream", "unknown upstream '" + name + "'");
                    }
                    return Optional.ofNullable(upstreams.get(name));
                  });
      Optional<Duration> timeout = duration(r.timeout(), path + ".timeout", problems);
      if (r.retries() != null) {
        Duration routeTimeout =
            timeout.or(() -> upstreamTimeout).orElse(UpstreamSpec.DEFAULT_TIMEOUT);
        retries(r.retries(), routeTimeout, path + ".retries", problems);
        if (r.retries().budget() != null && upstreamTimeout.isPresent()) {
          RetrySpec.RetryBudget budget = r.retries().budget().toSpec();
          StatedBudget first =
              budgets.computeIfAbsent(
                  r.upstream(), u -> new StatedBudget(path + ".retries.budget", budget));
          if (!budget.equals(first.budget())) {
            problems.add(
                path + ".retries.budget",
                "differs from "
                    + first.statedBy()
                    + "; upstream '"
                    + r.upstream()
                    + "' has one retry budget for all its routes");
          }
        }
      }
      if (r.cache() != null) {
        cacheTtl(r.cache().ttl(), path + ".cache.ttl", problems);
      }
    }
  }

  private static void retries(
      GatewayConfigFile.Retries retries, Duration routeTimeout, String path, Problems problems) {
    duration(retries.perTryTimeout(), path + ".perTryTimeout", problems)
        .filter(perTry -> perTry.compareTo(routeTimeout) > 0)
        .ifPresent(
            perTry ->
                problems.add(
                    path + ".perTryTimeout",
                    "must not exceed the route's timeout (" + routeTimeout.toMillis() + "ms)"));
  }

  /** Envoy's {@code max-age} counts whole seconds; beyond a day is a mistake, not a cache. */
  private static void cacheTtl(String text, String path, Problems problems) {
    nonBlank(text, path, problems)
        .ifPresent(
            t -> {
              Optional<Duration> d = ConfigDurations.parse(t);
              if (d.isEmpty()) {
                problems.add(path, "must be " + ConfigDurations.SYNTAX + ", got '" + t + "'");
              } else if (d.get().compareTo(CacheSpec.MIN_TTL) < 0) {
                problems.add(path, "must be at least 1s");
              } else if (d.get().toMillisPart() != 0) {
                problems.add(path, "must be a whole number of seconds, got '" + t + "'");
              } else if (d.get().compareTo(CacheSpec.MAX_TTL) > 0) {
                problems.add(path, "must be at most 24h, got '" + t + "'");
              }
            });
  }

  private static void match(GatewayConfigFile.Match m, String path, Problems problems) {
    List<String> given =
        Stream.of(
                m.path() == null ? null : "path",
                m.pathPrefix() == null ? null : "pathPrefix",
                m.pathRegex() == null ? null : "pathRegex")
            .filter(Objects::nonNull)
            .toList();
    if (given.size() != 1) {
      problems.add(
          path,
          "needs exactly one of path, pathPrefix, pathRegex"
              + (given.isEmpty() ? "" : ", got " + String.join(", ", given)));
      return;
    }
    nonBlank(m.path(), path + ".path", problems)
        .ifPresent(p -> urlPath(p, path + ".path", problems));
    nonBlank(m.pathPrefix(), path + ".pathPrefix", problems)
        .ifPresent(p -> urlPath(p, path + ".pathPrefix", problems));
    nonBlank(m.pathRegex(), path + ".pathRegex", problems)
        .ifPresent(r -> regex(r, path + ".pathRegex", problems));
  }

  /** Each rule read and validated exactly as the REST API does; names unique within the file. */
  private void limits(List<Map<String, Object>> limits, Problems problems) {
    entries(
        "limits",
        limits,
        node -> ruleJson.fromValue(node),
        LimitRuleValidator::validate,
        LimitRule::name,
        "limit rule",
        problems);
  }

  /** Each access entry read and validated exactly as the REST API does; names unique. */
  private void access(List<Map<String, Object>> access, Problems problems) {
    entries(
        "access",
        access,
        node -> ruleJson.fromValue(node, AccessRule.class, "an access entry"),
        rule -> AccessRuleValidator.validate(rule, ""),
        AccessRule::name,
        "access entry",
        problems);
  }

  private static <T> void entries(
      String key,
      List<Map<String, Object>> nodes,
      Function<Object, T> read,
      Function<T, List<RuleViolation>> validate,
      Function<T, String> name,
      String what,
      Problems problems) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      String path = key + "[" + i + "]";
      List<RuleViolation> violations;
      T rule = null;
      try {
        rule = read.apply(nodes.get(i));
        violations = validate.apply(rule);
      } catch (InvalidRuleException e) {
        violations = e.violations();
      }
      violations.forEach(v -> problems.add(join(path, v.field()), v.message()));
      if (violations.isEmpty() && !names.add(name.apply(rule))) {
        problems.add(path + ".name", "duplicate " + what + " name '" + name.apply(rule) + "'");
      }
    }
  }

  private static void urlPath(String value, String path, Problems problems) {
    if (!PATH.matcher(value).matches()) {
      problems.add(path, "must start with '/' and contain no whitespace, '?' or '#'");
    }
  }

  private static void regex(String value, String path, Problems problems) {
    if (value.length() > MAX_REGEX_LENGTH) {
      problems.add(path, "is longer than " + MAX_REGEX_LENGTH + " characters");
      return;
    }
    EnvoyRegex.problem(value, "the regex").ifPresent(p -> problems.add(path, p));
  }

  private static Optional<UpstreamUrl> url(String text, String path, Problems problems) {
    try {
      return Optional.of(UpstreamUrl.parse(text));
    } catch (IllegalArgumentException e) {
      problems.add(path, e.getMessage());
      return Optional.empty();
    }
  }

  /** Invalid and reserved names are not counted, so they are not reported again as duplicates. */
  private static void name(
      String value, String path, Set<String> seen, String what, Problems problems) {
    Optional<String> name = nonBlank(value, path + ".name", problems);
    if (name.isEmpty()) {
      return;
    }
    String n = name.get();
    if (!NAME.matcher(n).matches()) {
      problems.add(
          path + ".name",
          "must be 1 to 63 letters, digits, '_', '.' or '-' starting with a letter or digit,"
              + " got '"
              + n
              + "'");
    } else if (n.startsWith(RESERVED_PREFIX)) {
      problems.add(path + ".name", "names starting with '" + RESERVED_PREFIX + "' are reserved");
    } else if (!seen.add(n)) {
      problems.add(path + ".name", "duplicate " + what + " name '" + n + "'");
    }
  }

  /** The duration when it is present and valid. */
  private static Optional<Duration> duration(String text, String path, Problems problems) {
    return nonBlank(text, path, problems)
        .flatMap(
            t -> {
              Optional<Duration> d = ConfigDurations.parse(t);
              if (d.isEmpty()) {
                problems.add(path, "must be " + ConfigDurations.SYNTAX + ", got '" + t + "'");
              } else if (d.get().isZero()) {
                problems.add(path, "must be greater than 0");
                return Optional.empty();
              }
              return d;
            });
  }

  /** Absent is fine (the schema requires what is required); blank is a mistake. */
  private static Optional<String> nonBlank(String value, String path, Problems problems) {
    if (value != null && value.isEmpty()) {
      problems.add(path, "must be a non-empty string");
      return Optional.empty();
    }
    return Optional.ofNullable(value);
  }

  private static String join(String path, String key) {
    if (key.isEmpty() || key.startsWith("[")) {
      return path + key;
    }
    return path + "." + key;
  }

  /** Problems found so far, each with its key path. */
  private static final class Problems {
    private final List<RuleViolation> list = new ArrayList<>();

    void add(String key, String message) {
      list.add(new RuleViolation(key, message));
    }

    /** The problems of the element at {@code prefix}, named relative to it. */
    List<RuleViolation> relativeTo(String prefix) {
      return list.stream()
          .map(
              v ->
                  new RuleViolation(
                      v.field().substring(prefix.length()).replaceFirst("^\\.", ""), v.message()))
          .toList();
    }
  }
}
