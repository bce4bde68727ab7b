package io.tollgate.controlplane.xds;

import io.tollgate.controlplane.ControlPlaneSettings;
import io.tollgate.controlplane.limits.LimitRule;
import io.tollgate.controlplane.limits.RuleSet;
import io.tollgate.controlplane.limits.StoredRule;
import io.tollgate.controlplane.limits.store.LimitRulesWatcher;
import io.tollgate.controlplane.xds.translate.LimitsInput;
import jakarta.annotation.PreDestroy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Puts each new rule set into the xDS snapshot (Envoy's actions and the rate-limit services'
 * configuration change together), and remembers which rules version and which rules each published
 * resource version carries, so the status API can tell which rules a node has applied and a NACK
 * can be traced to the rule change that caused it. Bounded memory.
 *
 * <p>One bad rule never blocks the others: when a node rejects a route or rate-limit configuration,
 * the rules that changed between the version it still runs and the rejected one (narrowed to the
 * one whose regex Envoy's message quotes) go into the {@link RuleQuarantine} and the snapshot is
 * rebuilt without them: a new version, so the rejected one is never sent again, and every other
 * change since is enforced.
 */
@Component
public class LimitsPublisher implements XdsNackListener {

  private static final Logger log = LoggerFactory.getLogger(LimitsPublisher.class);
  private static final int REMEMBERED_VERSIONS = 256;
  private static final List<String> RULE_TYPES =
      List.of(XdsTypeUrls.ROUTE, XdsTypeUrls.RATE_LIMIT_CONFIG);

  private final SnapshotPublisher snapshots;
  private final RuleQuarantine quarantine;
  private final LimitsInput.RateLimitService service;
  private final Map<String, Published> publishedByResourceVersion =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Published> eldest) {
          return size() > REMEMBERED_VERSIONS;
        }
      };
  // NACKs arrive on gRPC threads holding the node registry's lock; republishing happens here.
  private final ExecutorService nackWorker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "rule-quarantine");
            t.setDaemon(true);
            return t;
          });
  private volatile long publishedRulesVersion = -1;
  private RuleSet rules;
  private List<LimitRule> publishedRules = List.of();

  /** What one resource version carries. */
  private record Published(long rulesVersion, List<LimitRule> rules) {}

  LimitsPublisher(
      SnapshotPublisher snapshots, RuleQuarantine quarantine, ControlPlaneSettings settings) {
    this.snapshots = snapshots;
    this.quarantine = quarantine;
    ControlPlaneSettings.Ratelimit r = settings.ratelimit();
    this.service =
        new LimitsInput.RateLimitService(
            r.endpoints(),
            r.timeout(),
            r.failureModeDeny(),
            r.tls().enabled()
                ? new LimitsInput.RateLimitService.Tls(
                    r.tls().cert(), r.tls().key(), r.tls().ca(), r.tlsServerName())
                : null,
            quota(settings.approximate()));
  }

  private static LimitsInput.RateLimitService.Quota quota(ControlPlaneSettings.Approximate a) {
    return new LimitsInput.RateLimitService.Quota(
        a.noAssignment().equals("deny"), a.reuseLastAssignment());
  }

  @EventListener
  void onRulesChanged(LimitRulesWatcher.LimitRulesChanged event) {
    publish(event.rules());
  }

  private synchronized void publish(RuleSet next) {
    List<LimitRule> all = next.rules().stream().map(StoredRule::rule).toList();
    quarantine.retainCurrent(all);
    List<LimitRule> servable = quarantine.servable(all);
    try {
      snapshots.update(in -> in.withLimits(new LimitsInput(next.version(), servable, service)));
      rules = next;
      publishedRules = servable;
      publishedRulesVersion = next.version();
      remember();
    } catch (RuntimeException e) {
      // The previous snapshot stays served; the next change or poll tries again.
      log.error("cannot publish limit rules version {}: {}", next.version(), e.toString());
    }
  }

  @Override
  public void nacked(
      String nodeId,
      String typeUrl,
      String rejectedVersion,
      String acceptedVersion,
      String message) {
    if (RULE_TYPES.contains(typeUrl)) {
      nackWorker.execute(
          () -> quarantineCulprits(nodeId, typeUrl, rejectedVersion, acceptedVersion, message));
    }
  }

  private synchronized void quarantineCulprits(
      String nodeId,
      String typeUrl,
      String rejectedVersion,
      String acceptedVersion,
      String message) {
    remember();
    Published rejected = publishedByResourceVersion.get(typeUrl + "@" + rejectedVersion);
    if (rejected == null || rules == null) {
      return; // not a version this replica built, or no rules yet: nothing to trace
    }
    Published accepted = publishedByResourceVersion.get(typeUrl + "@" + acceptedVersion);
    List<LimitRule> culprits =
        RuleQuarantine.culprits(
            rejected.rules(), accepted == null ? null : accepted.rules(), message);
    // Only rules still served can be held out; the rest is already gone or held.
    culprits = culprits.stream().filter(publishedRules::contains).toList();
    if (culprits.isEmpty()) {
      log.warn(
          "node '{}' rejected {} version {}, and no rule change explains it: {}",
          nodeId,
          typeUrl,
          rejectedVersion,
          message);
      return;
    }
    log.warn(
        "node '{}' rejected {} version {}: holding out rule(s) {} and serving the others: {}",
        nodeId,
        typeUrl,
        rejectedVersion,
        culprits.stream().map(LimitRule::name).toList(),
        message);
    quarantine.reject(culprits, message);
    publish(rules);
  }

  @PreDestroy
  void stop() {
    nackWorker.shutdownNow();
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
    return Optional.ofNullable(publishedByResourceVersion.get(typeUrl + "@" + ackedVersion))
        .map(Published::rulesVersion);
  }

  /**
   * Maps the served snapshot's route and rate-limit config versions to the rules in it (also after
   * a gateway change republished them with the same rules).
   */
  private synchronized void remember() {
    Optional<PublishedSnapshot> current = snapshots.current();
    long version = publishedRulesVersion;
    if (current.isEmpty() || version < 0) {
      return;
    }
    for (String type : RULE_TYPES) {
      String resourceVersion = current.get().typeVersions().get(type);
      if (resourceVersion != null) {
        publishedByResourceVersion.merge(
            type + "@" + resourceVersion,
            new Published(version, publishedRules),
            (old, now) -> old.rulesVersion() >= now.rulesVersion() ? old : now);
      }
    }
  }
}
