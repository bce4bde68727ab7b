package io.tollgate.controlplane.configfile;

import io.tollgate.controlplane.access.AccessRule;
import io.tollgate.controlplane.limits.LimitRuleJson;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code tollgate.yaml} as written, bound by Jackson once {@link GatewayConfigSchema} has accepted
 * the structure: required keys are present and every value has its type, so only the optional parts
 * may be null (absent). Strings are stripped. {@link GatewayConfigValidator} checks the meanings;
 * {@link #toConfig} turns a valid file into the model.
 */
record GatewayConfigFile(
    Listener listener,
    List<Upstream> upstreams,
    List<Route> routes,
    List<Map<String, Object>> limits,
    List<Map<String, Object>> access) {

  GatewayConfigFile {
    listener = listener == null ? new Listener(null, null, null) : listener;
    limits = limits == null ? List.of() : limits;
    access = access == null ? List.of() : access;
  }

  record Listener(String address, Integer port, Integer xffNumTrustedHops) {
    Listener {
      address = strip(address);
    }
  }

  /** Exactly one of {@code url} and {@code endpoints}, which the schema cannot say well. */
  record Upstream(
      String name,
      String url,
      List<String> endpoints,
      String caFile,
      String connectTimeout,
      String timeout,
      CircuitBreaker circuitBreaker,
      OutlierDetection outlierDetection,
      HealthCheck healthCheck) {
    Upstream {
      name = strip(name);
      url = strip(url);
      endpoints =
          endpoints == null ? null : endpoints.stream().map(GatewayConfigFile::strip).toList();
      caFile = strip(caFile);
      connectTimeout = strip(connectTimeout);
      timeout = strip(timeout);
    }

    /** The URLs written, {@code url} or {@code endpoints}, each with its key. */
    Map<String, String> urls(String path) {
      Map<String, String> urls = new LinkedHashMap<>();
      if (url != null) {
        urls.put(path + ".url", url);
      }
      if (endpoints != null) {
        for (int i = 0; i < endpoints.size(); i++) {
          urls.put(path + ".endpoints[" + i + "]", endpoints.get(i));
        }
      }
      return urls;
    }
  }

  record CircuitBreaker(
      Integer maxConnections,
      Integer maxPendingRequests,
      Integer maxRequests,
      Integer maxRetries) {}

  record OutlierDetection(
      Integer consecutive5xx,
      Integer consecutiveGatewayErrors,
      Integer consecutiveLocalOriginFailures,
      String interval,
      String baseEjectionTime,
      Integer maxEjectionPercent) {
    OutlierDetection {
      interval = strip(interval);
      baseEjectionTime = strip(baseEjectionTime);
    }
  }

  record HealthCheck(
      String path,
      String interval,
      String timeout,
      Integer unhealthyThreshold,
      Integer healthyThreshold) {
    HealthCheck {
      path = strip(path);
      interval = strip(interval);
      timeout = strip(timeout);
    }
  }

  record Route(
      String name, Match match, String upstream, String timeout, Retries retries, Cache cache) {
    Route {
      name = strip(name);
      upstream = strip(upstream);
      timeout = strip(timeout);
    }
  }

  record Retries(Integer attempts, List<String> on, String perTryTimeout, Budget budget) {
    Retries {
      on = on == null ? null : on.stream().map(GatewayConfigFile::strip).toList();
      perTryTimeout = strip(perTryTimeout);
    }
  }

  record Budget(Double percent, Integer minConcurrent) {

    /** The budget with Envoy's defaults for what is left out. */
    RetrySpec.RetryBudget toSpec() {
      return new RetrySpec.RetryBudget(
          Optional.ofNullable(percent).orElse(RetrySpec.RetryBudget.DEFAULT_PERCENT),
          Optional.ofNullable(minConcurrent).orElse(RetrySpec.RetryBudget.DEFAULT_MIN_CONCURRENT));
    }
  }

  record Cache(String ttl) {
    Cache {
      ttl = strip(ttl);
    }
  }

  /** Exactly one of the three, which the schema cannot say without a worse message. */
  record Match(String path, String pathPrefix, String pathRegex) {
    Match {
      path = strip(path);
      pathPrefix = strip(pathPrefix);
      pathRegex = strip(pathRegex);
    }
  }

  /**
   * The model of a file {@link GatewayConfigValidator} found no problem in.
   *
   * @throws IllegalStateException when called on a file that has problems
   */
  GatewayConfig toConfig(LimitRuleJson ruleJson) {
    ListenerSpec listenerSpec =
        new ListenerSpec(
            Optional.ofNullable(listener.address()).orElse(ListenerSpec.DEFAULT_ADDRESS),
            Optional.ofNullable(listener.port()).orElse(ListenerSpec.DEFAULT_PORT),
            Optional.ofNullable(listener.xffNumTrustedHops()).orElse(0));
    List<UpstreamSpec> upstreamSpecs = upstreams.stream().map(GatewayConfigFile::upstream).toList();
    List<RouteSpec> routeSpecs = routes.stream().map(GatewayConfigFile::route).toList();
    return new GatewayConfig(
        listenerSpec,
        upstreamSpecs,
        routeSpecs,
        limits.stream().map(ruleJson::fromValue).toList(),
        access.stream()
            .map(a -> ruleJson.fromValue(a, AccessRule.class, "an access entry"))
            .toList());
  }

  /** The model of a route the validator found no problem in. */
  static RouteSpec route(Route r) {
    return new RouteSpec(
        r.name(),
        pathMatch(r.match()),
        r.upstream(),
        duration(r.timeout()),
        retries(r.retries()),
        Optional.ofNullable(r.cache()).map(c -> new CacheSpec(duration(c.ttl()).orElseThrow())));
  }

  /** The model of an upstream the validator found no problem in. */
  static UpstreamSpec upstream(Upstream u) {
    List<UpstreamUrl> urls = u.urls("").values().stream().map(UpstreamUrl::parse).toList();
    return new UpstreamSpec(
        u.name(),
        urls.get(0).tls(),
        urls.stream().map(url -> new UpstreamEndpoint(url.host(), url.port())).toList(),
        Optional.ofNullable(u.caFile()),
        duration(u.connectTimeout()).orElse(UpstreamSpec.DEFAULT_CONNECT_TIMEOUT),
        duration(u.timeout()).orElse(UpstreamSpec.DEFAULT_TIMEOUT),
        circuitBreaker(u.circuitBreaker()),
        outlierDetection(u.outlierDetection()),
        Optional.ofNullable(u.healthCheck()).map(GatewayConfigFile::healthCheck));
  }

  private static CircuitBreakerSpec circuitBreaker(CircuitBreaker c) {
    CircuitBreakerSpec d = CircuitBreakerSpec.DEFAULT;
    if (c == null) {
      return d;
    }
    return new CircuitBreakerSpec(
        Optional.ofNullable(c.maxConnections()).orElse(d.maxConnections()),
        Optional.ofNullable(c.maxPendingRequests()).orElse(d.maxPendingRequests()),
        Optional.ofNullable(c.maxRequests()).orElse(d.maxRequests()),
        Optional.ofNullable(c.maxRetries()).orElse(d.maxRetries()));
  }

  private static OutlierDetectionSpec outlierDetection(OutlierDetection o) {
    OutlierDetectionSpec d = OutlierDetectionSpec.DEFAULT;
    if (o == null) {
      return d;
    }
    return new OutlierDetectionSpec(
        Optional.ofNullable(o.consecutive5xx()),
        Optional.ofNullable(o.consecutiveGatewayErrors()),
        Optional.ofNullable(o.consecutiveLocalOriginFailures())
            .orElse(d.consecutiveLocalOriginFailures()),
        duration(o.interval()).orElse(d.interval()),
        duration(o.baseEjectionTime()).orElse(d.baseEjectionTime()),
        Optional.ofNullable(o.maxEjectionPercent()).orElse(d.maxEjectionPercent()));
  }

  private static HealthCheckSpec healthCheck(HealthCheck h) {
    return new HealthCheckSpec(
        h.path(),
        duration(h.interval()).orElse(HealthCheckSpec.DEFAULT_INTERVAL),
        duration(h.timeout()).orElse(HealthCheckSpec.DEFAULT_TIMEOUT),
        Optional.ofNullable(h.unhealthyThreshold())
            .orElse(HealthCheckSpec.DEFAULT_UNHEALTHY_THRESHOLD),
        Optional.ofNullable(h.healthyThreshold())
            .orElse(HealthCheckSpec.DEFAULT_HEALTHY_THRESHOLD));
  }

  private static RetrySpec retries(Retries r) {
    if (r == null) {
      return RetrySpec.DEFAULT;
    }
    return new RetrySpec(
        Optional.ofNullable(r.attempts()).orElse(RetrySpec.DEFAULT_ATTEMPTS),
        r.on() == null ? RetrySpec.DEFAULT.on() : r.on().stream().sorted().toList(),
        duration(r.perTryTimeout()),
        Optional.ofNullable(r.budget()).map(Budget::toSpec));
  }

  private static Optional<Duration> duration(String text) {
    return Optional.ofNullable(text).map(t -> ConfigDurations.parse(t).orElseThrow());
  }

  private static PathMatch pathMatch(Match m) {
    if (m.path() != null) {
      return new PathMatch.Exact(m.path());
    }
    if (m.pathPrefix() != null) {
      return new PathMatch.Prefix(m.pathPrefix());
    }
    return new PathMatch.Regex(m.pathRegex());
  }

  private static String strip(String s) {
    return s == null ? null : s.strip();
  }
}
