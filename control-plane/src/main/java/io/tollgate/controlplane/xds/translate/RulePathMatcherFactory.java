package io.tollgate.controlplane.xds.translate;

import com.github.xds.core.v3.TypedExtensionConfig;
import com.github.xds.type.matcher.v3.Matcher;
import com.github.xds.type.matcher.v3.Matcher.MatcherList.FieldMatcher;
import com.github.xds.type.matcher.v3.Matcher.MatcherList.Predicate;
import com.github.xds.type.matcher.v3.Matcher.MatcherList.Predicate.PredicateList;
import com.github.xds.type.matcher.v3.Matcher.MatcherList.Predicate.SinglePredicate;
import com.github.xds.type.matcher.v3.Matcher.MatcherTree;
import com.github.xds.type.matcher.v3.Matcher.MatcherTree.MatchMap;
import com.github.xds.type.matcher.v3.Matcher.OnMatch;
import com.github.xds.type.matcher.v3.StringMatcher;
import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.route.v3.RateLimit;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteList;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimitPerRoute;
import io.envoyproxy.envoy.type.matcher.v3.HttpRequestHeaderMatchInput;
import io.tollgate.controlplane.limits.LimitRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The virtual host's route selection when limit rules have an exact or prefix path: Envoy's generic
 * matcher ({@code VirtualHost.matcher}) with a {@code prefix_match_map} on {@code :path}, so a
 * request pays for the rules whose path it is on, found in a trie (cost grows with the path's
 * length, not with the number of rules), instead of Envoy evaluating every rule's actions.
 *
 * <p>Each rule path is a key. Its action is a {@code RouteList}: the file's routes that can match a
 * path under the key, in file order and unchanged (same match, cluster, timeouts, rewrites, name),
 * each carrying the actions of every rule the key lies under (the prefix rules whose prefix starts
 * it, plus the exact rules of the key). Envoy evaluates a list's routes in order, first match wins,
 * so forwarding is exactly that of the plain route table. Semantics relied on (Envoy 1.35 and
 * later): the longest matching key is tried first and, when its nested matcher does not match,
 * shorter keys are tried ({@code prefix_map_matcher_resume_after_subtree_miss}); a request under no
 * key takes the top-level {@code on_no_match}: all routes, without route rules. {@code :path} holds
 * the query string: a prefix never contains {@code ?}, so prefixes compare as on the bare path; an
 * exact path {@code P} is a nested predicate {@code :path == P or :path starts with P?}. The
 * connection manager normalizes {@code :path} before routing, so keys see what routes see.
 *
 * <p>The virtual host's own rules (no path, or a regex path) still apply on these routes: they
 * carry the rate-limit filter's per-route {@code vh_rate_limits: INCLUDE} (Envoy's default ignores
 * the virtual host's actions on a route that has its own).
 */
final class RulePathMatcherFactory {

  private static final String PATH_HEADER = ":path";
  private static final String ROUTE_LIST = "routes";
  private static final String PATH_INPUT = "path";

  private final RateLimitActionsFactory actions;

  RulePathMatcherFactory(RateLimitActionsFactory actions) {
    this.actions = actions;
  }

  /** Whether the rule's path makes it a route rule (exact or prefix) rather than a host rule. */
  static boolean onRoutes(LimitRule rule) {
    return rule.match().path() != null || rule.match().pathPrefix() != null;
  }

  /**
   * @param routes the virtual host's routes, in file order, as the route table would hold them
   * @param rules enabled rules with an exact or prefix path, in name order
   * @param includeHostRules whether the virtual host has rate limits of its own
   */
  Matcher create(List<Route> routes, List<LimitRule> rules, boolean includeHostRules) {
    TreeMap<String, Key> keys = new TreeMap<>();
    for (LimitRule rule : rules) {
      Match path = Match.of(rule);
      Key key = keys.computeIfAbsent(path.text(), k -> new Key());
      (path.exact() ? key.exact : key.prefix).add(rule);
    }
    MatchMap.Builder map = MatchMap.newBuilder();
    keys.forEach(
        (text, key) -> {
          List<LimitRule> under = new ArrayList<>();
          for (int end = 1; end <= text.length(); end++) {
            Key shorter = keys.get(text.substring(0, end));
            if (shorter != null) {
              under.addAll(shorter.prefix);
            }
          }
          Optional<OnMatch> prefixAction =
              key.prefix.isEmpty()
                  ? Optional.empty()
                  : routeList(routes, r -> mayMatchUnder(r, text), under, includeHostRules);
          if (key.exact.isEmpty()) {
            prefixAction.ifPresent(a -> map.putMap(text, a));
            return;
          }
          List<LimitRule> exact = new ArrayList<>(key.exact);
          exact.addAll(under);
          routeList(routes, r -> mayMatchExactly(r, text), exact, includeHostRules)
              .ifPresent(a -> map.putMap(text, exactPath(text, a, prefixAction)));
        });
    return Matcher.newBuilder()
        .setMatcherTree(
            MatcherTree.newBuilder().setInput(pathInput()).setPrefixMatchMap(map.build()))
        .setOnNoMatch(action(routes))
        .build();
  }

  /** The rule paths of one key. */
  private static final class Key {
    final List<LimitRule> prefix = new ArrayList<>();
    final List<LimitRule> exact = new ArrayList<>();
  }

  private record Match(String text, boolean exact) {
    static Match of(LimitRule rule) {
      return rule.match().path() != null
          ? new Match(rule.match().path(), true)
          : new Match(rule.match().pathPrefix(), false);
    }
  }

  /** {@code :path} is the key (with or without a query string), else what {@code orElse} says. */
  private static OnMatch exactPath(String path, OnMatch onPath, Optional<OnMatch> orElse) {
    Predicate.Builder either =
        Predicate.newBuilder()
            .setOrMatcher(
                PredicateList.newBuilder()
                    .addPredicate(pathIs(StringMatcher.newBuilder().setExact(path)))
                    .addPredicate(pathIs(StringMatcher.newBuilder().setPrefix(path + "?"))));
    Matcher.Builder nested =
        Matcher.newBuilder()
            .setMatcherList(
                Matcher.MatcherList.newBuilder()
                    .addMatchers(
                        FieldMatcher.newBuilder().setPredicate(either).setOnMatch(onPath)));
    orElse.ifPresent(nested::setOnNoMatch);
    return OnMatch.newBuilder().setMatcher(nested).build();
  }

  private static Predicate pathIs(StringMatcher.Builder value) {
    return Predicate.newBuilder()
        .setSinglePredicate(SinglePredicate.newBuilder().setInput(pathInput()).setValueMatch(value))
        .build();
  }

  private static TypedExtensionConfig pathInput() {
    return TypedExtensionConfig.newBuilder()
        .setName(PATH_INPUT)
        .setTypedConfig(
            Any.pack(HttpRequestHeaderMatchInput.newBuilder().setHeaderName(PATH_HEADER).build()))
        .build();
  }

  /** The routes that can match under the key, with the rules' actions; empty when none can. */
  private Optional<OnMatch> routeList(
      List<Route> routes,
      java.util.function.Predicate<RouteMatch> mayMatch,
      List<LimitRule> rules,
      boolean includeHostRules) {
    List<RateLimit> limits =
        rules.stream().flatMap(r -> actions.createOnRoute(r).stream()).toList();
    List<Route> limited =
        routes.stream()
            .filter(r -> mayMatch.test(r.getMatch()))
            .map(r -> withLimits(r, limits, includeHostRules))
            .toList();
    return limited.isEmpty() ? Optional.empty() : Optional.of(action(limited));
  }

  private static Route withLimits(Route route, List<RateLimit> limits, boolean includeHostRules) {
    Route.Builder b = route.toBuilder();
    b.getRouteBuilder().addAllRateLimits(limits);
    if (includeHostRules) {
      b.putTypedPerFilterConfig(
          RateLimitFilterFactory.NAME,
          Any.pack(
              RateLimitPerRoute.newBuilder()
                  .setVhRateLimits(RateLimitPerRoute.VhRateLimitsOptions.INCLUDE)
                  .build()));
    }
    return b.build();
  }

  private static OnMatch action(List<Route> routes) {
    return OnMatch.newBuilder()
        .setAction(
            TypedExtensionConfig.newBuilder()
                .setName(ROUTE_LIST)
                .setTypedConfig(Any.pack(RouteList.newBuilder().addAllRoutes(routes).build())))
        .build();
  }

  /** Whether a route can match some path that starts with {@code prefix}. */
  private static boolean mayMatchUnder(RouteMatch match, String prefix) {
    return switch (match.getPathSpecifierCase()) {
      case PREFIX -> prefix.startsWith(match.getPrefix()) || match.getPrefix().startsWith(prefix);
      case PATH -> match.getPath().startsWith(prefix);
      default -> true; // a regex (or anything else) may: Envoy decides per request
    };
  }

  /** Whether a route can match the path {@code path}. */
  private static boolean mayMatchExactly(RouteMatch match, String path) {
    return switch (match.getPathSpecifierCase()) {
      case PREFIX -> path.startsWith(match.getPrefix());
      case PATH -> match.getPath().equals(path);
      default -> true;
    };
  }
}
