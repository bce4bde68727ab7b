package io.tollgate.controlplane.stats;

import io.tollgate.controlplane.ControlPlaneSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class StatsConfiguration {

  @Bean
  LiveStats liveStats(ControlPlaneSettings settings) {
    return new LiveStats(settings.stats(), System::currentTimeMillis);
  }

  @Bean
  BlockedCalls blockedCalls(ControlPlaneSettings settings) {
    return new BlockedCalls(settings.stats().blockedCalls());
  }
}
