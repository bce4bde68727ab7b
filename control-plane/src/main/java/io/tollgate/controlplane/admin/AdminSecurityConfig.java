package io.tollgate.controlplane.admin;

import io.tollgate.controlplane.ControlPlaneSettings;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import org.springframework.web.filter.CorsFilter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Who may use {@code /api/**}. Spring Security rather than a bare filter because it also carries
 * the authenticated principal to the audit trail (Envers reads it from the security context), and
 * gives the stateless, CSRF-free bearer-token chain with a proper 401 challenge.
 *
 * <p>No token configured and loopback-only: open, changes recorded as "anonymous". A token
 * configured: {@code Authorization: Bearer <token>} required on {@code /api/**}, changes recorded
 * as "admin". Bound beyond loopback without a token: the application refuses to start. Everything
 * outside {@code /api/**} (dashboard, OpenAPI, actuator) stays readable.
 *
 * <p>Whatever the token, no web page can drive the API: {@link SameOriginGuard} refuses foreign
 * {@code Origin} and {@code Host} headers (CSRF, DNS rebinding), bodies must carry their declared
 * media type ({@link UnsupportedMediaTypeProblem}), and CORS is off unless {@code
 * TOLLGATE_ADMIN_CORS_ORIGINS} names the origins allowed to call it.
 */
@Configuration
class AdminSecurityConfig {

  private static final Logger log = LoggerFactory.getLogger(AdminSecurityConfig.class);

  @Bean
  AdminExposure adminExposure(
      @Value("${server.address:}") String serverAddress, ControlPlaneSettings settings) {
    AdminExposure exposure = new AdminExposure(serverAddress, settings.admin().token());
    exposure.requireSafe();
    return exposure;
  }

  @Bean
  OwnOrigins ownOrigins(AdminExposure exposure, ControlPlaneSettings settings) {
    OwnOrigins own = OwnOrigins.of(settings.admin().allowedHosts(), settings.admin().corsOrigins());
    if (!exposure.loopbackOnly() && own.allowedHosts().isEmpty()) {
      log.info(
          "REST API beyond loopback: it answers only to Host localhost, 127.0.0.1, [::1] and the"
              + " address a connection arrives on; TOLLGATE_ADMIN_ALLOWED_HOSTS adds names");
    }
    return own;
  }

  /** Checks a presented token in constant time; also keeps Boot from inventing a user. */
  @Bean
  AuthenticationManager adminTokenAuthentication(AdminExposure exposure) {
    byte[] expected =
        exposure.tokenRequired() ? exposure.token().getBytes(StandardCharsets.UTF_8) : null;
    return presented -> {
      byte[] given = String.valueOf(presented.getCredentials()).getBytes(StandardCharsets.UTF_8);
      if (expected == null || !MessageDigest.isEqual(expected, given)) {
        throw new BadCredentialsException("invalid bearer token");
      }
      return UsernamePasswordAuthenticationToken.authenticated(
          AdminExposure.PRINCIPAL, null, List.of(new SimpleGrantedAuthority("ROLE_ADMIN")));
    };
  }

  /**
   * Spring Security's firewall, but with any method let through: the default refuses methods it
   * does not know ({@code QUERY}) with a bare 400, where the answer is 405 with {@code Allow}
   * ({@link MethodNotAllowedProblem}). Safe here because authorization is by path, never by method.
   */
  @Bean
  HttpFirewall httpFirewall() {
    StrictHttpFirewall firewall = new StrictHttpFirewall();
    firewall.setUnsafeAllowAnyHttpMethod(true);
    return firewall;
  }

  @Bean
  SecurityFilterChain adminApi(
      HttpSecurity http, AdminExposure exposure, AuthenticationManager tokens, OwnOrigins own)
      throws Exception {
    // Spring's CSRF tokens are for cookie sessions; this API has none (a bearer token or
    // nothing), and SameOriginGuard plus strict media types refuse what browsers could forge.
    http.csrf(csrf -> csrf.disable())
        .addFilterBefore(new SameOriginGuard(own), CorsFilter.class)
        .cors(
            cors -> {
              if (own.corsOrigins().isEmpty()) {
                cors.disable();
              } else {
                cors.configurationSource(corsSource(own.corsOrigins()));
              }
            })
        .httpBasic(basic -> basic.disable())
        .formLogin(form -> form.disable())
        .logout(logout -> logout.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .exceptionHandling(e -> e.authenticationEntryPoint((req, res, ex) -> unauthorized(res)))
        .addFilterBefore(new BearerTokenFilter(tokens), AnonymousAuthenticationFilter.class)
        .authorizeHttpRequests(
            auth -> {
              if (exposure.tokenRequired()) {
                auth.requestMatchers("/api/**").authenticated();
              }
              auth.anyRequest().permitAll();
            });
    return http.build();
  }

  /** Preflights and CORS headers for the configured origins, on {@code /api/**} only. */
  private static CorsConfigurationSource corsSource(List<String> origins) {
    CorsConfiguration config = new CorsConfiguration();
    config.setAllowedOrigins(origins);
    config.setAllowedMethods(List.of("GET", "POST", "PUT", "DELETE"));
    config.setAllowedHeaders(
        List.of(
            HttpHeaders.AUTHORIZATION,
            HttpHeaders.CONTENT_TYPE,
            HttpHeaders.IF_MATCH,
            HttpHeaders.IF_NONE_MATCH));
    config.setExposedHeaders(List.of(HttpHeaders.ETAG, HttpHeaders.LOCATION, HttpHeaders.LINK));
    config.setAllowCredentials(false);
    config.setMaxAge(Duration.ofHours(1));
    UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
    source.registerCorsConfiguration("/api/**", config);
    return source;
  }

  private static void unauthorized(HttpServletResponse res) throws IOException {
    res.setHeader("WWW-Authenticate", "Bearer realm=\"tollgate\"");
    ApiProblems.write(
        res,
        HttpStatus.UNAUTHORIZED,
        HttpHeaders.AUTHORIZATION,
        "Authorization: Bearer <TOLLGATE_ADMIN_TOKEN> is required");
  }

  /** Authenticates {@code Authorization: Bearer ...}; a wrong token is refused at once. */
  private static final class BearerTokenFilter extends OncePerRequestFilter {
    private final AuthenticationManager tokens;

    BearerTokenFilter(AuthenticationManager tokens) {
      this.tokens = tokens;
    }

    @Override
    protected void doFilterInternal(
        HttpServletRequest req, HttpServletResponse res, FilterChain chain)
        throws ServletException, IOException {
      String header = req.getHeader("Authorization");
      if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        try {
          Authentication auth =
              tokens.authenticate(
                  UsernamePasswordAuthenticationToken.unauthenticated(
                      "bearer", header.substring(7).trim()));
          SecurityContextHolder.getContext().setAuthentication(auth);
        } catch (BadCredentialsException e) {
          SecurityContextHolder.clearContext();
          unauthorized(res);
          return;
        }
      }
      chain.doFilter(req, res);
    }
  }
}
