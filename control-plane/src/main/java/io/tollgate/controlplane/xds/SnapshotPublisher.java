package io.tollgate.controlplane.xds;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.tollgate.controlplane.ControlPlaneSettings;
import io.tollgate.controlplane.configfile.GatewayConfig;
import io.tollgate.controlplane.configfile.GatewayConfigListener;
import io.tollgate.controlplane.configfile.ListenerSpec;
import io.tollgate.controlplane.xds.translate.EnvoyResources;
import io.tollgate.controlplane.xds.translate.Translator;
import io.tollgate.controlplane.xds.translate.TranslatorInput;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The edge where translations become live: holds the current {@link TranslatorInput}, and on each
 * change translates it and sets the snapshot for every node (and the rate-limit configs beside it).
 * Nothing is published before the gateway config has been loaded once, so a feature that starts
 * early cannot push a snapshot without listeners. A change that fails to translate leaves both the
 * input and the served snapshot as they were.
 */
@Component
public class SnapshotPublisher implements GatewayConfigListener {

  private static final Logger log = LoggerFactory.getLogger(SnapshotPublisher.class);

  private final Translator translator;
  private final SimpleCache<String> cache;
  private final RateLimitConfigFeed rateLimitConfigs;
  private final Clock clock;
  private final Counter updates;
  private final MultiGauge versionInfo;
  private TranslatorInput input;
  // The config file's gateway, and what the REST API adds to it (its upstreams and routes).
  private GatewayConfig fileGateway;
  private UnaryOperator<GatewayConfig> overlay = UnaryOperator.identity();
  private boolean gatewayLoaded;
  private volatile PublishedSnapshot current;

  @Autowired
  public SnapshotPublisher(
      Translator translator,
      SimpleCache<String> cache,
      RateLimitConfigFeed rateLimitConfigs,
      ControlPlaneSettings settings,
      MeterRegistry meters) {
    this(
        translator,
        cache,
        rateLimitConfigs,
        settings.upstreamCaBundle(),
        meters,
        Clock.systemUTC());
  }

  SnapshotPublisher(
      Translator translator,
      SimpleCache<String> cache,
      RateLimitConfigFeed rateLimitConfigs,
      String systemCaFile,
      MeterRegistry meters,
      Clock clock) {
    this.translator = translator;
    this.cache = cache;
    this.rateLimitConfigs = rateLimitConfigs;
    this.clock = clock;
    this.input =
        TranslatorInput.of(
                new GatewayConfig(
                    new ListenerSpec(ListenerSpec.DEFAULT_ADDRESS, ListenerSpec.DEFAULT_PORT, 0),
                    List.of(),
                    List.of()))
            .withSystemCaFile(systemCaFile);
    this.fileGateway = input.gateway();
    this.updates =
        Counter.builder("tollgate.xds.snapshot.updates")
            .description("snapshots published with new content")
            .register(meters);
    this.versionInfo =
        MultiGauge.builder("tollgate.xds.snapshot.info")
            .description("1 for the version of the served snapshot (the version is the tag)")
            .register(meters);
    Gauge.builder("tollgate.xds.snapshot.last.update", this, SnapshotPublisher::lastUpdateSeconds)
        .description("when the served snapshot was published (epoch seconds)")
        .baseUnit("seconds")
        .register(meters);
  }

  /**
   * The dry run of {@link #gatewayChanged}: translates the config with the limit rules it brings in
   * place of those the previous file brought, and publishes nothing.
   *
   * @throws RuntimeException if it does not translate
   */
  @Override
  public synchronized void check(GatewayConfig gateway) {
    translator.translate(
        input
            .withGateway(overlay.apply(gateway))
            .withLimits(input.limits().withFileRules(input.gateway().limits(), gateway.limits())));
  }

  @Override
  public synchronized void gatewayChanged(GatewayConfig gateway) {
    TranslatorInput next = input.withGateway(overlay.apply(gateway));
    publish(next);
    input = next;
    fileGateway = gateway;
    gatewayLoaded = true;
  }

  /**
   * The dry run of {@link #overlay}: translates the file's gateway with {@code candidate} applied.
   *
   * @throws RuntimeException if it does not translate
   */
  public synchronized void checkOverlay(UnaryOperator<GatewayConfig> candidate) {
    translator.translate(input.withGateway(candidate.apply(fileGateway)));
  }

  /**
   * Sets what is added to the file's gateway (now and on every later file change) and publishes the
   * result once the gateway config is loaded.
   *
   * @throws RuntimeException if the result does not translate; nothing changes then
   */
  public synchronized void overlay(UnaryOperator<GatewayConfig> next) {
    update(in -> in.withGateway(next.apply(fileGateway)));
    overlay = next;
  }

  /** The gateway as the config file declares it, without the overlay. */
  public synchronized GatewayConfig fileGateway() {
    return fileGateway;
  }

  /**
   * Applies a change to the input (e.g. new limit rules) and publishes the result once the gateway
   * config is loaded.
   *
   * @throws RuntimeException if the result does not translate; nothing changes then
   */
  public synchronized void update(UnaryOperator<TranslatorInput> change) {
    TranslatorInput next = change.apply(input);
    if (gatewayLoaded) {
      publish(next);
    }
    input = next;
  }

  /** The snapshot served now, empty before the first publish. */
  public Optional<PublishedSnapshot> current() {
    return Optional.ofNullable(current);
  }

  private void publish(TranslatorInput next) {
    long start = System.nanoTime();
    EnvoyResources resources = translator.translate(next);
    Map<String, String> typeVersions = new LinkedHashMap<>();
    typeVersions.put(XdsTypeUrls.LISTENER, ResourceVersions.of(resources.listeners()));
    typeVersions.put(XdsTypeUrls.ROUTE, ResourceVersions.of(resources.routeConfigurations()));
    typeVersions.put(XdsTypeUrls.CLUSTER, ResourceVersions.of(resources.clusters()));
    typeVersions.put(
        XdsTypeUrls.RATE_LIMIT_CONFIG, ResourceVersions.of(resources.rateLimitConfigs()));
    String version = ResourceVersions.combine(List.copyOf(typeVersions.values()));
    PublishedSnapshot previous = current;
    if (previous != null && previous.version().equals(version)) {
      return;
    }
    Snapshot snapshot =
        Snapshot.create(
            resources.clusters(),
            typeVersions.get(XdsTypeUrls.CLUSTER),
            List.of(),
            "",
            resources.listeners(),
            typeVersions.get(XdsTypeUrls.LISTENER),
            resources.routeConfigurations(),
            typeVersions.get(XdsTypeUrls.ROUTE),
            List.of(),
            "");
    cache.setSnapshot(AllNodesGroup.GROUP, snapshot);
    rateLimitConfigs.publish(
        typeVersions.get(XdsTypeUrls.RATE_LIMIT_CONFIG), resources.rateLimitConfigs());
    current = new PublishedSnapshot(version, typeVersions, clock.instant(), resources);
    updates.increment();
    // overwrite: the previous version's series disappears instead of accumulating.
    versionInfo.register(List.of(MultiGauge.Row.of(Tags.of("version", version), 1)), true);
    // Build time and push size: what a rule change costs at the rule count (bench/rules).
    log.info(
        "published xDS snapshot {} (built in {} ms; route configuration {} bytes, rate-limit"
            + " configuration {} bytes): {} listener(s), {} route configuration(s), {} cluster(s),"
            + " {} rate-limit"
            + " config(s)",
        version,
        (System.nanoTime() - start) / 1_000_000,
        resources.routeConfigurations().stream().mapToLong(r -> r.getSerializedSize()).sum(),
        resources.rateLimitConfigs().stream().mapToLong(r -> r.getSerializedSize()).sum(),
        resources.listeners().size(),
        // Not a count of routes: they sit in the virtual host's matcher tree, once per path prefix.
        resources.routeConfigurations().size(),
        resources.clusters().size(),
        resources.rateLimitConfigs().size());
  }

  private double lastUpdateSeconds() {
    PublishedSnapshot s = current;
    return s == null ? Double.NaN : s.publishedAt().getEpochSecond();
  }
}
