package io.tollgate.controlplane.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ComparisonFilter;
import io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.tollgate.controlplane.ControlPlaneSettings;
import io.tollgate.controlplane.configfile.GatewayConfigParser;
import io.tollgate.controlplane.xds.translate.TranslatorInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TOLLGATE_ACCESSLOG_ENABLED and TOLLGATE_ACCESSLOG_SAMPLE_ONE_IN: the listener gets the gRPC
 * access log only when it is on, filtered only when sampled.
 */
class AccessLogTranslatorExtensionTest {

  private static TranslatorInput input() throws Exception {
    Path in = Path.of("src/test/resources/golden/http-mock.in.yaml");
    return TranslatorInput.of(
        new GatewayConfigParser().parse(in.getFileName().toString(), Files.readString(in)));
  }

  private static List<AccessLog> logs(boolean enabled, int sampleOneIn) throws Exception {
    return new AccessLogTranslatorExtension(
            new ControlPlaneSettings.AccessLog(enabled, sampleOneIn))
        .accessLogs(input());
  }

  @Test
  void onTheListenerStreamsEveryAnswer() throws Exception {
    assertThat(logs(true, 1))
        .singleElement()
        .satisfies(
            log -> {
              assertThat(log.getName()).isEqualTo(GrpcAccessLogFactory.LOGGER);
              assertThat(log.hasFilter()).isFalse();
              assertThat(config(log).getCommonConfig().getCustomTagsList()).isEmpty();
            });
  }

  @Test
  void offTheListenerHasNoAccessLog() throws Exception {
    assertThat(logs(false, 1)).isEmpty();
    assertThat(logs(false, 10)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"2, 500000", "10, 100000", "3, 333333", "1000, 1000"})
  void sampledItKeepsEveryAnswerFrom400AndOneInNOfTheOthers(int n, int perMillion)
      throws Exception {
    AccessLog log = logs(true, n).get(0);
    List<AccessLogFilter> either = log.getFilter().getOrFilter().getFiltersList();
    assertThat(either).hasSize(2);
    ComparisonFilter status = either.get(0).getStatusCodeFilter().getComparison();
    assertThat(status.getOp()).isEqualTo(ComparisonFilter.Op.GE);
    assertThat(status.getValue().getDefaultValue()).isEqualTo(400);
    var sampled = either.get(1).getRuntimeFilter();
    assertThat(sampled.getPercentSampled().getNumerator()).isEqualTo(perMillion);
    assertThat(sampled.getPercentSampled().getDenominator())
        .isEqualTo(FractionalPercent.DenominatorType.MILLION);
    assertThat(sampled.getUseIndependentRandomness()).isTrue();
    assertThat(config(log).getCommonConfig().getCustomTagsList())
        .singleElement()
        .satisfies(
            tag -> {
              assertThat(tag.getTag()).isEqualTo(GrpcAccessLogFactory.SAMPLE_TAG);
              assertThat(tag.getLiteral().getValue()).isEqualTo(Integer.toString(n));
            });
  }

  @Test
  void theFactoryRefusesASampleBelowOne() {
    assertThatThrownBy(() -> new GrpcAccessLogFactory().create(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sampleOneIn");
  }

  private static HttpGrpcAccessLogConfig config(AccessLog log) throws Exception {
    return log.getTypedConfig().unpack(HttpGrpcAccessLogConfig.class);
  }
}
