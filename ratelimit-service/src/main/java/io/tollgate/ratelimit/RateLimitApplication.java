package io.tollgate.ratelimit;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tollgate.ratelimit.config.ActiveConfig;
import io.tollgate.ratelimit.config.ConfigCompiler;
import io.tollgate.ratelimit.config.ConfigDirectory;
import io.tollgate.ratelimit.config.ConfigDirectoryWatcher;
import io.tollgate.ratelimit.config.XdsConfigClient;
import io.tollgate.ratelimit.config.XdsConfigMapper;
import io.tollgate.ratelimit.limiter.RateLimiter;
import io.tollgate.ratelimit.quota.RateLimitQuotaGrpcService;
import io.tollgate.ratelimit.server.GrpcServer;
import io.tollgate.ratelimit.server.Health;
import io.tollgate.ratelimit.server.HttpEndpoints;
import io.tollgate.ratelimit.server.RateLimitGrpcService;
import io.tollgate.ratelimit.settings.Settings;
import io.tollgate.ratelimit.stats.ReferenceMetricsWriter;
import io.tollgate.ratelimit.stats.ServiceStats;
import io.tollgate.ratelimit.stats.StatsRegistry;
import io.tollgate.ratelimit.store.CounterStore;
import io.tollgate.ratelimit.store.MemoryCounterStore;
import io.tollgate.ratelimit.store.RedisCounterStore;
import io.tollgate.referenceconfig.ReferenceYamlReader;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: builds every part from {@link Settings}, starts the configuration source and
 * both ports, and stops them in reverse order.
 */
public final class RateLimitApplication implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimitApplication.class);

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final Health health;
  private final GrpcServer grpc;
  private final RateLimitQuotaGrpcService quota;
  private final HttpEndpoints http;
  private final ActiveConfig config;

  private RateLimitApplication(Settings settings, Clock clock) throws IOException {
    settings.warnings().forEach(LOG::warn);
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(meters);
    resources.push(gc);

    ServiceStats serviceStats = new ServiceStats();
    StatsRegistry stats = new StatsRegistry(settings.limits().statsMaxKeys());
    this.config = new ActiveConfig(serviceStats);

    CounterStore store = store(settings, clock, meters);
    resources.push(store);

    this.health =
        new Health(
            config,
            store,
            !settings.config().forceStartWithoutConfig(),
            settings.config().healthyOnlyWithConfig(),
            settings.redis().healthCheckActiveConnection()
                && settings.store().backend() == Settings.Backend.REDIS);
    config.onApply(c -> health.refresh());
    ScheduledExecutorService housekeeping =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "housekeeping");
              t.setDaemon(true);
              return t;
            });
    resources.push(housekeeping::shutdownNow);
    housekeeping.scheduleWithFixedDelay(health::refresh, 1, 1, TimeUnit.SECONDS);
    if (store instanceof MemoryCounterStore memory) {
      housekeeping.scheduleWithFixedDelay(memory::sweep, 10, 10, TimeUnit.SECONDS);
    }

    RateLimiter limiter =
        new RateLimiter(config, store, stats, serviceStats, settings, clock, meters);
    resources.push(limiter);
    this.quota =
        new RateLimitQuotaGrpcService(config, store, settings, clock, meters, housekeeping);
    this.grpc =
        new GrpcServer(
            settings.listen(),
            new RateLimitGrpcService(limiter, serviceStats),
            quota,
            health.grpc().getHealthService());
    this.http =
        new HttpEndpoints(
            settings.listen().httpHost(),
            settings.listen().httpPort(),
            limiter,
            settings.json(),
            health,
            config,
            meters,
            new ReferenceMetricsWriter(stats, serviceStats));

    ConfigCompiler compiler = new ConfigCompiler(settings.config().mergeDomains());
    if (settings.config().type() == Settings.ConfigType.FILE) {
      ConfigDirectoryWatcher watcher =
          new ConfigDirectoryWatcher(
              new ConfigDirectory(
                  settings.config().directory(), settings.config().ignoreDotFiles()),
              new ReferenceYamlReader(),
              compiler,
              config);
      resources.push(watcher);
      LOG.info("watching configuration in {}", settings.config().directory());
      watcher.start(settings.config().pollInterval());
    } else {
      XdsConfigClient xds =
          new XdsConfigClient(settings.xds(), new XdsConfigMapper(), compiler, config);
      resources.push(xds);
      xds.start();
    }
  }

  /** Builds and starts the service. */
  public static RateLimitApplication start(Settings settings, Clock clock) throws IOException {
    RateLimitApplication app = new RateLimitApplication(settings, clock);
    try {
      app.grpc.start();
      app.resources.push(app.grpc);
      // Closed before the gRPC server, so its shutdown need not wait for the RLQS streams.
      app.resources.push(app.quota);
      app.http.start();
      app.resources.push(app.http);
    } catch (IOException | RuntimeException e) {
      app.close();
      throw e;
    }
    app.health.refresh();
    LOG.info("rate-limit service: gRPC on {}, HTTP on {}", app.grpc.port(), app.http.port());
    return app;
  }

  private static CounterStore store(
      Settings settings, Clock clock, PrometheusMeterRegistry meters) {
    return switch (settings.store().backend()) {
      case MEMORY -> new MemoryCounterStore(settings.store().memoryMaxKeys(), clock, meters);
      case REDIS ->
          new RedisCounterStore(settings.redis(), settings.limits().expirationJitterMaxSeconds());
    };
  }

  public int grpcPort() {
    return grpc.port();
  }

  public int httpPort() {
    return http.port();
  }

  public ActiveConfig config() {
    return config;
  }

  /** Stops taking calls (health first, so load balancers drain), then everything else. */
  @Override
  public void close() {
    health.stopping();
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        LOG.warn("error while stopping: {}", e.toString());
      }
    }
  }
}
