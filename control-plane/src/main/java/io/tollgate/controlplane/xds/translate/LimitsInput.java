package io.tollgate.controlplane.xds.translate;

import io.tollgate.controlplane.limits.LimitRule;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The limit rules part of the translator's input.
 *
 * @param rulesVersion the rules version these rules are (reported per node by the status API)
 * @param rules every rule; disabled ones produce nothing
 * @param service how Envoy reaches the rate-limit service; null: no rate limiting at all
 */
public record LimitsInput(long rulesVersion, List<LimitRule> rules, RateLimitService service) {

  /** No rate limiting (the translator's own golden files). */
  public static final LimitsInput NONE = new LimitsInput(0, List.of(), null);

  public LimitsInput {
    rules = List.copyOf(rules);
  }

  /**
   * These rules with a config file's replaced: those {@code previousFile} declared, or rules of the
   * same names, give way to {@code nextFile}'s, as storing the new file's rules does.
   */
  public LimitsInput withFileRules(List<LimitRule> previousFile, List<LimitRule> nextFile) {
    Set<String> fileOwned = new HashSet<>();
    previousFile.forEach(r -> fileOwned.add(r.name()));
    nextFile.forEach(r -> fileOwned.add(r.name()));
    List<LimitRule> merged = new ArrayList<>();
    rules.stream().filter(r -> !fileOwned.contains(r.name())).forEach(merged::add);
    merged.addAll(nextFile);
    return new LimitsInput(rulesVersion, merged, service);
  }

  /**
   * @param endpoints the rate-limit services' gRPC endpoints (unresolved: IP literals or DNS
   *     names), at least one
   * @param timeout Envoy's deadline per call
   * @param failureModeDeny fail closed (500) instead of open when the service fails or is late
   * @param tls mutual TLS of the calls; null: plaintext
   * @param quota how the approximate tier's quota buckets behave without a fresh assignment
   */
  public record RateLimitService(
      List<InetSocketAddress> endpoints,
      Duration timeout,
      boolean failureModeDeny,
      Tls tls,
      Quota quota) {

    public RateLimitService {
      endpoints = List.copyOf(endpoints);
      if (endpoints.isEmpty()) {
        throw new IllegalArgumentException("no rate-limit service endpoint");
      }
      quota = quota == null ? Quota.DEFAULT : quota;
    }

    /** With the default quota behaviour. */
    public RateLimitService(
        List<InetSocketAddress> endpoints, Duration timeout, boolean failureModeDeny, Tls tls) {
      this(endpoints, timeout, failureModeDeny, tls, Quota.DEFAULT);
    }

    /**
     * The approximate tier's bucket settings (README, "Approximate tier").
     *
     * @param denyBeforeAssignment a new bucket denies until its first assignment (else allows)
     * @param reuseLastAssignment how long an expired assignment keeps being enforced while no new
     *     one comes; then the bucket is abandoned and behaves as a new one. Zero: at once
     */
    public record Quota(boolean denyBeforeAssignment, Duration reuseLastAssignment) {

      /** Allow before the first assignment, reuse the last for a minute. */
      public static final Quota DEFAULT = new Quota(false, Duration.ofSeconds(60));
    }

    /**
     * PEM files on the Envoy host.
     *
     * @param certFile Envoy's client certificate chain
     * @param keyFile its private key
     * @param caFile the CA the services' certificate must chain to
     * @param serverName SNI and the DNS or IP SAN the services' certificate must carry
     */
    public record Tls(String certFile, String keyFile, String caFile, String serverName) {}
  }
}
