package io.tollgate.controlplane.limits.store;

import org.hibernate.envers.RevisionListener;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Records who made a change: the authenticated principal of the request (the admin token's
 * principal), {@value #ANONYMOUS} when the API runs unauthenticated on loopback, or whatever
 * principal a background job ran as (the config file sync runs as {@value #FILE}).
 */
public class RuleRevisionListener implements RevisionListener {

  static final String ANONYMOUS = "anonymous";
  static final String FILE = "file";

  @Override
  public void newRevision(Object revisionEntity) {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    boolean known =
        auth != null && auth.isAuthenticated() && !(auth instanceof AnonymousAuthenticationToken);
    ((RuleRevision) revisionEntity).actor(known ? auth.getName() : ANONYMOUS);
  }
}
