package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.BoolValue;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.tollgate.controlplane.configfile.PathMatch;
import io.tollgate.controlplane.configfile.RouteSpec;
import io.tollgate.controlplane.configfile.UpstreamSpec;

/** One Envoy route: the path match and the forwarding to the upstream's cluster. */
final class RouteFactory {

  private final RetryPolicyFactory retryPolicyFactory;

  RouteFactory(RetryPolicyFactory retryPolicyFactory) {
    this.retryPolicyFactory = retryPolicyFactory;
  }

  Route.Builder create(RouteSpec spec, UpstreamSpec upstream) {
    return Route.newBuilder()
        .setName(spec.name())
        .setMatch(match(spec.match()))
        .setRoute(
            RouteAction.newBuilder()
                .setCluster(upstream.name())
                .setAutoHostRewrite(BoolValue.of(true))
                .setTimeout(
                    Durations.fromMillis(spec.timeout().orElse(upstream.timeout()).toMillis()))
                .setRetryPolicy(
                    retryPolicyFactory.create(spec.retries(), upstream.endpoints().size() > 1)));
  }

  private static RouteMatch match(PathMatch match) {
    RouteMatch.Builder b = RouteMatch.newBuilder();
    if (match instanceof PathMatch.Exact e) {
      b.setPath(e.path());
    } else if (match instanceof PathMatch.Prefix p) {
      b.setPrefix(p.prefix());
    } else if (match instanceof PathMatch.Regex r) {
      b.setSafeRegex(RegexMatcher.newBuilder().setRegex(r.regex()));
    }
    return b.build();
  }
}
