package io.tollgate.controlplane.admin;

import io.tollgate.controlplane.ControlPlaneSettings;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
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
 */
@Configuration
class AdminSecurityConfig {

  @Bean
  AdminExposure adminExposure(
      @Value("${server.address:}") String serverAddress, ControlPlaneSettings settings) {
    AdminExposure exposure = new AdminExposure(serverAddress, settings.admin().token());
    exposure.requireSafe();
    return exposure;
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

  @Bean
  SecurityFilterChain adminApi(
      HttpSecurity http, AdminExposure exposure, AuthenticationManager tokens) throws Exception {
    http.csrf(csrf -> csrf.disable())
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

  private static void unauthorized(HttpServletResponse res) throws IOException {
    res.setStatus(HttpStatus.UNAUTHORIZED.value());
    res.setHeader("WWW-Authenticate", "Bearer realm=\"tollgate\"");
    res.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    res.getWriter()
        .write(
            "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                + "\"detail\":\"Authorization: Bearer <TOLLGATE_ADMIN_TOKEN> is required\","
                + "\"field\":\"Authorization\"}");
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
