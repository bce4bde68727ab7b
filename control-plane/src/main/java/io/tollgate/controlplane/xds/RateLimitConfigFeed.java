package io.tollgate.controlplane.xds;

import io.tollgate.protos.ratelimit.config.v3.RateLimitConfig;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The current {@code RateLimitConfig} resources and their version: java-control-plane's snapshot
 * only knows Envoy's own types, so this type lives beside it and {@link AdsService} serves it on
 * the same ADS stream.
 */
public final class RateLimitConfigFeed {

  /**
   * @param version content hash; empty until the first publish
   * @param configs sorted by name
   */
  public record Versioned(String version, List<RateLimitConfig> configs) {

    public Versioned {
      configs = List.copyOf(configs);
    }
  }

  private final Set<Consumer<Versioned>> subscribers = ConcurrentHashMap.newKeySet();
  private volatile Versioned current = new Versioned("", List.of());

  public Versioned current() {
    return current;
  }

  /** Replaces the resources and tells every subscribed stream. */
  public void publish(String version, List<RateLimitConfig> configs) {
    Versioned next = new Versioned(version, configs);
    current = next;
    subscribers.forEach(s -> s.accept(next));
  }

  /**
   * @return cancels the subscription
   */
  Runnable subscribe(Consumer<Versioned> subscriber) {
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }
}
