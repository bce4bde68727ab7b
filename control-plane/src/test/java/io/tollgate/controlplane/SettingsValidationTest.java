package io.tollgate.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** {@link ControlPlaneSettings} is {@code @Validated}: a bound out of range stops the start. */
class SettingsValidationTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(ControlPlaneSettings.class)
  static class Settings {}

  private final ApplicationContextRunner context =
      new ApplicationContextRunner().withUserConfiguration(Settings.class);

  @Test
  void theDefaultsAreValid() {
    context.run(c -> assertThat(c).hasNotFailed().hasSingleBean(ControlPlaneSettings.class));
  }

  @Test
  void anXdsPortOutOfRangeStopsTheStartNamingTheProperty() {
    context
        .withPropertyValues("tollgate.xds.port=70000")
        .run(
            c ->
                assertThat(c.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(BindValidationException.class)
                    .hasMessageContaining("tollgate.xds.port")
                    .hasMessageContaining("65535"));
  }

  @Test
  void aStatsSizeOfZeroStopsTheStartNamingTheProperty() {
    context
        .withPropertyValues("tollgate.stats.stripes=0")
        .run(
            c ->
                assertThat(c.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(BindValidationException.class)
                    .hasMessageContaining("tollgate.stats.stripes")
                    .hasMessageContaining("must be greater than 0"));
  }
}
