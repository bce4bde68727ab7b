package io.tollgate.controlplane.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.controlplane.ControlPlaneSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {

  @Bean
  GatewayConfigWatcher gatewayConfigWatcher(
      ControlPlaneSettings settings, GatewayConfigListener listener, MeterRegistry meters) {
    return new GatewayConfigWatcher(settings.config(), new GatewayConfigParser(), listener, meters);
  }
}
