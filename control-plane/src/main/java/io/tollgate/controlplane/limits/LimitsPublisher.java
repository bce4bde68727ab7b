package io.tollgate.controlplane.limits;

import io.tollgate.controlplane.ControlPlaneSettings;
import io.tollgate.controlplane.xds.PublishedSnapshot;
import io.tollgate.controlplane.xds.SnapshotPublisher;
import io.tollgate.controlplane.xds.XdsTypeUrls;
import io.tollgate.controlplane.xds.translate.LimitsInput;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Puts each new rule set into the xDS snapshot (Envoy's actions and the rate-limit services'
 * configuration change together), and remembers which rules version each published resource version
 * carries, so the status API can tell which rules a node has applied. Bounded memory.
 */
@Component
public class LimitsPublisher {

  private static final Logger log = LoggerFactory.getLogger(LimitsPublisher.class);
  private static final int REMEMBERED_VERSIONS = 256;

  private final SnapshotPublisher snapshots;
  private final LimitsInput.RateLimitService service;
  private final Map<String, Long> rulesVersionByResourceVersion =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > REMEMBERED_VERSIONS;
        }
      };
  private volatile long publishedRulesVersion = -1;

  LimitsPublisher(SnapshotPublisher snapshots, ControlPlaneSettings settings) {
    this.snapshots = snapshots;
    ControlPlaneSettings.Ratelimit r = settings.ratelimit();
    this.service =
        new LimitsInput.RateLimitService(r.endpoints(), r.timeout(), r.failureModeDeny());
  }

  @EventListener
  void onRulesChanged(LimitRulesWatcher.LimitRulesChanged event) {
    RuleSet rules = event.rules();
    try {
      snapshots.update(
          in ->
              in.withLimits(
                  new LimitsInput(
                      rules.version(),
                      rules.rules().stream().map(StoredRule::rule).toList(),
                      service)));
      publishedRulesVersion = rules.version();
      remember();
    } catch (RuntimeException e) {
      // The previous snapshot stays served; the next change or poll tries again.
      log.error("cannot publish limit rules version {}: {}", rules.version(), e.toString());
    }
  }

  /** The rules version in the snapshot served now; -1 before the first. */
  public long publishedRulesVersion() {
    return publishedRulesVersion;
  }

  /** The rules version a node runs, from the version it acknowledged of {@code typeUrl}. */
  public synchronized Optional<Long> rulesVersionOf(String typeUrl, String ackedVersion) {
    remember();
    if (ackedVersion == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(rulesVersionByResourceVersion.get(typeUrl + "@" + ackedVersion));
  }

  /**
   * Maps the served snapshot's route and rate-limit config versions to the rules version in it
   * (also after a gateway change republished them with the same rules).
   */
  private synchronized void remember() {
    Optional<PublishedSnapshot> current = snapshots.current();
    long rules = publishedRulesVersion;
    if (current.isEmpty() || rules < 0) {
      return;
    }
    for (String type : new String[] {XdsTypeUrls.ROUTE, XdsTypeUrls.RATE_LIMIT_CONFIG}) {
      String version = current.get().typeVersions().get(type);
      if (version != null) {
        rulesVersionByResourceVersion.merge(type + "@" + version, rules, Math::max);
      }
    }
  }
}
