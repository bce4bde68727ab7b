package io.tollgate.controlplane.configfile;

import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.controlplane.ControlPlaneSettings;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {

  /**
   * Every listener checks each valid config, then hears it, in {@code @Order}; the first to throw
   * stops it (and a check that throws stops it before anything changed).
   */
  @Bean
  GatewayConfigWatcher gatewayConfigWatcher(
      ControlPlaneSettings settings, List<GatewayConfigListener> listeners, MeterRegistry meters) {
    GatewayConfigListener all =
        new GatewayConfigListener() {
          @Override
          public void check(GatewayConfig config) {
            listeners.forEach(l -> l.check(config));
          }

          @Override
          public void gatewayChanged(GatewayConfig config) {
            listeners.forEach(l -> l.gatewayChanged(config));
          }
        };
    return new GatewayConfigWatcher(settings.config(), new GatewayConfigParser(), all, meters);
  }
}
