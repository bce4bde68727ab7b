package io.tollgate.controlplane.configfile;

import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.controlplane.ControlPlaneSettings;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {

  /** Every listener hears each valid config, in {@code @Order}; the first to throw stops it. */
  @Bean
  GatewayConfigWatcher gatewayConfigWatcher(
      ControlPlaneSettings settings, List<GatewayConfigListener> listeners, MeterRegistry meters) {
    GatewayConfigListener all = config -> listeners.forEach(l -> l.gatewayChanged(config));
    return new GatewayConfigWatcher(settings.config(), new GatewayConfigParser(), all, meters);
  }
}
