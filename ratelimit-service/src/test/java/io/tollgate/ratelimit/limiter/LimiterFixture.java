package io.tollgate.ratelimit.limiter;

import com.google.protobuf.UInt64Value;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tollgate.ratelimit.MutableClock;
import io.tollgate.ratelimit.config.ActiveConfig;
import io.tollgate.ratelimit.config.ConfigCompiler;
import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.ratelimit.stats.ServiceStats;
import io.tollgate.ratelimit.stats.StatsRegistry;
import io.tollgate.ratelimit.store.CounterStore;
import io.tollgate.ratelimit.store.MemoryCounterStore;
import io.tollgate.referenceconfig.ReferenceYamlReader;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A limiter over the in-memory store, a hand-moved clock and one YAML configuration. */
final class LimiterFixture {

  /** 2030-01-01T00:00:00Z: aligned to every unit up to a day. */
  static final long T0 = 1_893_456_000_000L;

  final MutableClock clock = new MutableClock(T0);
  final ServiceStats serviceStats = new ServiceStats();
  final StatsRegistry stats;
  final ActiveConfig config = new ActiveConfig(serviceStats);
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final RateLimiter limiter;

  LimiterFixture(String yaml) {
    this(yaml, Map.of());
  }

  LimiterFixture(String yaml, Map<String, String> env) {
    this(yaml, env, null);
  }

  /**
   * @param store builds the store from the fixture's clock; null for the in-memory store
   */
  LimiterFixture(String yaml, Map<String, String> env, Function<Clock, CounterStore> store) {
    Map<String, String> all = new HashMap<>(Map.of("EXPIRATION_JITTER_MAX_SECONDS", "0"));
    all.putAll(env);
    Settings settings = Settings.fromEnv(all);
    stats = new StatsRegistry(settings.limits().statsMaxKeys());
    if (yaml != null) {
      load(yaml, Boolean.parseBoolean(all.getOrDefault("MERGE_DOMAIN_CONFIG", "false")));
    }
    CounterStore s =
        store != null ? store.apply(clock) : new MemoryCounterStore(10_000, clock, meters);
    limiter = new RateLimiter(config, s, stats, serviceStats, settings, clock, meters);
  }

  void load(String yaml, boolean merge) {
    config.apply(
        new ConfigCompiler(merge)
            .compile(List.of(new ReferenceYamlReader().read("test.yaml", yaml))));
  }

  RateLimitResponse call(RateLimitRequest request) {
    try {
      return limiter.shouldRateLimit(request).get(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** One call with one descriptor of key/value pairs. */
  RateLimitResponse call(String domain, String... pairs) {
    return call(RateLimitRequest.newBuilder().setDomain(domain).addDescriptors(d(pairs)).build());
  }

  RateLimitResponse.Code code(String domain, String... pairs) {
    return call(domain, pairs).getOverallCode();
  }

  static RateLimitDescriptor d(String... pairs) {
    RateLimitDescriptor.Builder b = RateLimitDescriptor.newBuilder();
    for (int i = 0; i < pairs.length; i += 2) {
      b.addEntries(RateLimitDescriptor.Entry.newBuilder().setKey(pairs[i]).setValue(pairs[i + 1]));
    }
    return b.build();
  }

  static RateLimitDescriptor d(long hitsAddend, String... pairs) {
    return d(pairs).toBuilder().setHitsAddend(UInt64Value.of(hitsAddend)).build();
  }

  static RateLimitRequest request(String domain, RateLimitDescriptor... descriptors) {
    return RateLimitRequest.newBuilder()
        .setDomain(domain)
        .addAllDescriptors(List.of(descriptors))
        .build();
  }
}
