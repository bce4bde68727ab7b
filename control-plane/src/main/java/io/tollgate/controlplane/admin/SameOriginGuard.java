package io.tollgate.controlplane.admin;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses (403) requests a web page made: an {@code Origin} that is not this control plane's own
 * nor a configured CORS origin (cross-site request forgery), or a {@code Host} that does not name
 * it (DNS rebinding: a page whose name now resolves to 127.0.0.1 is same-origin to itself, but its
 * requests still say {@code Host: its-name}). See {@link OwnOrigins} for what is own.
 *
 * <p>Every path is covered, with one exception: {@code GET}/{@code HEAD} under {@code /actuator/}
 * skip the {@code Host} check (not the {@code Origin} check). Kubelet probes and Prometheus address
 * a pod by its IP or by whatever service name they were given, and a readiness probe refused over a
 * missing allow-list entry would restart-loop the pod; what a rebinding page could read there is
 * liveness and aggregate counters (by status, method, upstream, rule), never client addresses or
 * rules, and it can change nothing. A request without {@code Host} passes: browsers always send
 * one.
 */
final class SameOriginGuard extends OncePerRequestFilter {

  private static final RequestMatcher ACTUATOR_READS =
      new OrRequestMatcher(
          PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.GET, "/actuator/**"),
          PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.HEAD, "/actuator/**"));

  private final OwnOrigins own;

  SameOriginGuard(OwnOrigins own) {
    this.own = own;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws ServletException, IOException {
    String origin = req.getHeader(HttpHeaders.ORIGIN);
    if (origin != null && !own.allowedOrigin(origin, req.getLocalAddr(), req.getLocalPort())) {
      ApiProblems.write(
          res,
          HttpStatus.FORBIDDEN,
          HttpHeaders.ORIGIN,
          "requests from pages of origin '"
              + origin
              + "' are refused; only this control plane's own pages and"
              + " TOLLGATE_ADMIN_CORS_ORIGINS may call it");
      return;
    }
    String host = req.getHeader(HttpHeaders.HOST);
    if (host != null
        && !ACTUATOR_READS.matches(req)
        && !own.ownHost(host, req.getLocalAddr(), req.getLocalPort(), req.isSecure())) {
      ApiProblems.write(
          res,
          HttpStatus.FORBIDDEN,
          HttpHeaders.HOST,
          "Host '"
              + host
              + "' does not name this control plane; use localhost, 127.0.0.1 or [::1] with"
              + " its port, or add the name to TOLLGATE_ADMIN_ALLOWED_HOSTS");
      return;
    }
    chain.doFilter(req, res);
  }
}
