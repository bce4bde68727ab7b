package io.tollgate.controlplane.configfile;

import io.tollgate.controlplane.access.AccessRule;
import io.tollgate.controlplane.limits.LimitRuleJson;
import java.time.Duration;
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

  record Upstream(String name, String url, String caFile, String connectTimeout, String timeout) {
    Upstream {
      name = strip(name);
      url = strip(url);
      caFile = strip(caFile);
      connectTimeout = strip(connectTimeout);
      timeout = strip(timeout);
    }
  }

  record Route(String name, Match match, String upstream) {
    Route {
      name = strip(name);
      upstream = strip(upstream);
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
    List<UpstreamSpec> upstreamSpecs =
        upstreams.stream()
            .map(
                u -> {
                  UpstreamUrl url = UpstreamUrl.parse(u.url());
                  return new UpstreamSpec(
                      u.name(),
                      url.tls(),
                      url.host(),
                      url.port(),
                      Optional.ofNullable(u.caFile()),
                      duration(u.connectTimeout()).orElse(UpstreamSpec.DEFAULT_CONNECT_TIMEOUT),
                      duration(u.timeout()).orElse(UpstreamSpec.DEFAULT_TIMEOUT));
                })
            .toList();
    List<RouteSpec> routeSpecs =
        routes.stream()
            .map(r -> new RouteSpec(r.name(), pathMatch(r.match()), r.upstream()))
            .toList();
    return new GatewayConfig(
        listenerSpec,
        upstreamSpecs,
        routeSpecs,
        limits.stream().map(ruleJson::fromValue).toList(),
        access.stream()
            .map(a -> ruleJson.fromValue(a, AccessRule.class, "an access entry"))
            .toList());
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
