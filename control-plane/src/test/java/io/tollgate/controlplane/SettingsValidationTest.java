package io.tollgate.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

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

  @ParameterizedTest
  @CsvSource({"0, must be greater than or equal to 1", "1001, must be less than or equal to 1000"})
  void anAccessLogSampleOutOfRangeStopsTheStartNamingTheProperty(String value, String message) {
    context
        .withPropertyValues("tollgate.access-log.sample-one-in=" + value)
        .run(
            c ->
                assertThat(c.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(BindValidationException.class)
                    .hasMessageContaining("accessLog.sampleOneIn")
                    .hasMessageContaining(message));
  }

  @Test
  void aSampleThatIsNotANumberStopsTheStartNamingTheProperty() {
    context
        .withPropertyValues("tollgate.access-log.sample-one-in=ten")
        .run(c -> assertThat(c.getStartupFailure()).rootCause().hasMessageContaining("ten"));
  }

  /**
   * The README's variable names, as the environment gives them, reach the settings; {@code
   * application.yaml} maps the one relaxed binding does not ({@code
   * TOLLGATE_ACCESSLOG_SAMPLE_ONE_IN} would be {@code TOLLGATE_ACCESSLOG_SAMPLEONEIN}).
   */
  @Test
  void theAccessLogVariablesBindFromTheEnvironment() {
    context
        .withInitializer(new ConfigDataApplicationContextInitializer())
        .withInitializer(
            c ->
                c.getEnvironment()
                    .getPropertySources()
                    .addFirst(
                        new SystemEnvironmentPropertySource(
                            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                            Map.of(
                                "TOLLGATE_ACCESSLOG_ENABLED", "false",
                                "TOLLGATE_ACCESSLOG_SAMPLE_ONE_IN", "10"))))
        .run(
            c ->
                assertThat(c.getBean(ControlPlaneSettings.class).accessLog())
                    .isEqualTo(new ControlPlaneSettings.AccessLog(false, 10)));
  }
}
