package io.tollgate.controlplane.xds;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.tollgate.controlplane.xds.translate.Translator;
import io.tollgate.controlplane.xds.translate.TranslatorExtension;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the translator, the snapshot cache and the ADS service (served by the gRPC server). */
@Configuration(proxyBeanMethods = false)
class XdsConfiguration {

  @Bean
  SimpleCache<String> xdsSnapshotCache() {
    return new SimpleCache<>(new AllNodesGroup());
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
