package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.tollgate.controlplane.configfile.PathMatch;
import io.tollgate.controlplane.configfile.RouteSpec;
import io.tollgate.controlplane.configfile.UpstreamSpec;

/** One Envoy route: the path match and the forwarding to the upstream's cluster. */
final class RouteFactory {

  // Only failures where Envoy knows the upstream never saw the request: retrying after a plain
  // "reset" could replay a POST the upstream already acted on.
  static final String RETRY_ON = "connect-failure,refused-stream,reset-before-request";
  static final int NUM_RETRIES = 2;

  Route.Builder create(RouteSpec spec, UpstreamSpec upstream) {
    return Route.newBuilder()
        .setName(spec.name())
        .setMatch(match(spec.match()))
        .setRoute(
            RouteAction.newBuilder()
                .setCluster(upstream.name())
                .setAutoHostRewrite(BoolValue.of(true))
                .setTimeout(Durations.fromMillis(upstream.timeout().toMillis()))
                .setRetryPolicy(
                    RetryPolicy.newBuilder()
                        .setRetryOn(RETRY_ON)
                        .setNumRetries(UInt32Value.of(NUM_RETRIES))));
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
