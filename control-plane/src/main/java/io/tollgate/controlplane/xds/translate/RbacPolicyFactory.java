package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.tollgate.controlplane.access.AccessHeader;
import io.tollgate.controlplane.access.AccessMatch;
import io.tollgate.controlplane.access.AccessPath;
import io.tollgate.controlplane.access.AccessRule;
import io.tollgate.controlplane.limits.Cidr;
import java.util.List;

/**
 * One access entry as an RBAC policy: the client ranges are its principals ({@code remote_ip}: the
 * client address after {@code xff_num_trusted_hops}, the one the limits key on, not the socket
 * peer), the other conditions one permission (all of them, each list any of its elements).
 */
final class RbacPolicyFactory {

  Policy create(AccessRule rule) {
    AccessMatch match = rule.match();
    Principal principal =
        match.cidrs().isEmpty()
            ? Principal.newBuilder().setAny(true).build()
            : Principal.newBuilder()
                .setOrIds(
                    Principal.Set.newBuilder()
                        .addAllIds(
                            match.cidrs().stream()
                                .map(c -> Principal.newBuilder().setRemoteIp(range(c)).build())
                                .toList()))
                .build();
    return Policy.newBuilder().addPermissions(permission(match)).addPrincipals(principal).build();
  }

  private static Permission permission(AccessMatch match) {
    Permission.Set.Builder all = Permission.Set.newBuilder();
    if (!match.paths().isEmpty()) {
      all.addRules(any(match.paths().stream().map(RbacPolicyFactory::path).toList()));
    }
    if (!match.methods().isEmpty()) {
      all.addRules(
          any(
              match.methods().stream()
                  .map(m -> header(HeaderMatcher.newBuilder().setName(":method"), exact(m)))
                  .toList()));
    }
    match.headers().forEach(h -> all.addRules(header(h)));
    if (all.getRulesCount() == 0) {
      return Permission.newBuilder().setAny(true).build();
    }
    return Permission.newBuilder().setAndRules(all).build();
  }

  private static Permission any(List<Permission> permissions) {
    return permissions.size() == 1
        ? permissions.get(0)
        : Permission.newBuilder()
            .setOrRules(Permission.Set.newBuilder().addAllRules(permissions))
            .build();
  }

  private static Permission path(AccessPath path) {
    StringMatcher matcher =
        path.exact() != null
            ? exact(path.exact())
            : StringMatcher.newBuilder().setPrefix(path.prefix()).build();
    return Permission.newBuilder().setUrlPath(PathMatcher.newBuilder().setPath(matcher)).build();
  }

  private static Permission header(AccessHeader header) {
    HeaderMatcher.Builder matcher = HeaderMatcher.newBuilder().setName(header.name());
    return header.exact() != null
        ? header(matcher, exact(header.exact()))
        : Permission.newBuilder().setHeader(matcher.setPresentMatch(true)).build();
  }

  private static Permission header(HeaderMatcher.Builder matcher, StringMatcher value) {
    return Permission.newBuilder().setHeader(matcher.setStringMatch(value)).build();
  }

  private static StringMatcher exact(String value) {
    return StringMatcher.newBuilder().setExact(value).build();
  }

  private static CidrRange range(String text) {
    Cidr cidr = Cidr.parse(text);
    String canonical = cidr.toString();
    return CidrRange.newBuilder()
        .setAddressPrefix(canonical.substring(0, canonical.indexOf('/')))
        .setPrefixLen(UInt32Value.of(cidr.prefixLength()))
        .build();
  }
}
