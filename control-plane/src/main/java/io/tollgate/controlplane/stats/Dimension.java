package io.tollgate.controlplane.stats;

import java.util.Locale;
import java.util.Optional;

/**
 * A dimension requests are counted by. IP and path are unbounded in the wild, so every dimension
 * keeps a bounded top-K; the bounded ones simply never overflow it.
 */
public enum Dimension {
  STATUS(64),
  METHOD(16),
  PATH(-1),
  IP(-1),
  UPSTREAM(64),
  /** Only blocked requests carry a rule, so its totals are the rate-limited requests. */
  RULE(256),
  /** The shadow-mode rules a request went over (it passed): what they would have blocked. */
  SHADOW_RULE(256),
  /** The rules that counted a request, under or over their limit: each rule's hits. */
  RULE_HIT(256),
  /** Only the answers of the response cache carry it, as {@code hit}: the cache's hits. */
  CACHE(4);

  /** The {@link #CACHE} key of a request the response cache answered. */
  public static final String CACHE_HIT = "hit";

  /** The key that stands for every key not kept individually. */
  public static final String OTHER = "(other)";

  private final int fixedCapacity;

  Dimension(int fixedCapacity) {
    this.fixedCapacity = fixedCapacity;
  }

  /** Top-K capacity of this dimension's sketch; IP and path use the configured one. */
  int capacity(int topKeys) {
    return fixedCapacity > 0 ? fixedCapacity : topKeys;
  }

  /** The name used in the REST API and the database (at most 16 characters). */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Dimension> fromKey(String key) {
    for (Dimension d : values()) {
      if (d.key().equals(key)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }
}
