package io.tollgate.controlplane.xds;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.tollgate.controlplane.xds.translate.AccessExtension;
import io.tollgate.controlplane.xds.translate.RateLimitExtension;
import io.tollgate.controlplane.xds.translate.Translator;
import io.tollgate.controlplane.xds.translate.TranslatorExtension;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/** Wires the translator, the snapshot cache and the ADS service (served by the gRPC server). */
@Configuration(proxyBeanMethods = false)
class XdsConfiguration {

  @Bean
  SimpleCache<String> xdsSnapshotCache() {
    return new SimpleCache<>(new AllNodesGroup());
  }

  /** First: its RBAC filters run before the rate limits, so a refused request costs no call. */
  @Bean
  @Order(50)
  AccessExtension accessExtension() {
    return new AccessExtension();
  }

  /** Before the access log (a bean without an order, so last): the order golden files pin. */
  @Bean
  @Order(100)
  RateLimitExtension rateLimitExtension() {
    return new RateLimitExtension();
  }

  @Bean
  Translator translator(ObjectProvider<TranslatorExtension> extensions) {
    return new Translator(extensions.orderedStream().toList());
  }

  @Bean
  RateLimitConfigFeed rateLimitConfigFeed() {
    return new RateLimitConfigFeed();
  }

  @Bean
  AdsService adsService(
      SimpleCache<String> cache, RateLimitConfigFeed rateLimitConfigs, XdsNodeRegistry nodes) {
    // AdsService reports stream events itself (for every type, with its own stream ids), so
    // java-control-plane's server gets no callbacks of its own.
    V3DiscoveryServer server = new V3DiscoveryServer(cache);
    return new AdsService(server.getAggregatedDiscoveryServiceImpl(), rateLimitConfigs, nodes);
  }
}
