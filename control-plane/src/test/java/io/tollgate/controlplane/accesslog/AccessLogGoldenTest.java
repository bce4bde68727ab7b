package io.tollgate.controlplane.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.controlplane.ControlPlaneSettings;
import io.tollgate.controlplane.configfile.GatewayConfigParser;
import io.tollgate.controlplane.xds.translate.EnvoyResourcesJson;
import io.tollgate.controlplane.xds.translate.Translator;
import io.tollgate.controlplane.xds.translate.TranslatorInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The translation with the access-log extension, pinned like the translator's own golden files:
 * {@code golden/http-mock.in.yaml} in, {@code golden-accesslog/<name>.out.json} out, every answer
 * logged and one in ten sampled. Rewrite with {@code -Dgolden.update=true} and review the diff.
 */
class AccessLogGoldenTest {

  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  @ParameterizedTest
  @CsvSource({"1, http-mock", "10, http-mock-sampled"})
  void theListenerStreamsItsAccessLogToTheControlPlane(int sampleOneIn, String name)
      throws Exception {
    Path in = Path.of("src/test/resources/golden/http-mock.in.yaml");
    Path out = Path.of("src/test/resources/golden-accesslog/" + name + ".out.json");
    var gateway =
        new GatewayConfigParser().parse(in.getFileName().toString(), Files.readString(in));

    String actual =
        EnvoyResourcesJson.print(
            new Translator(
                    List.of(
                        new AccessLogTranslatorExtension(
                            new ControlPlaneSettings.AccessLog(true, sampleOneIn))))
                .translate(TranslatorInput.of(gateway)));

    if (UPDATE) {
      Files.createDirectories(out.getParent());
      Files.writeString(out, actual);
    }
    assertThat(out).as("golden file %s (run with -Dgolden.update=true to create)", out).exists();
    assertThat(actual)
        .isEqualTo(Files.readString(out))
        .contains(
            "\"name\": \"envoy.access_loggers.http_grpc\"",
            "\"clusterName\": \"tollgate_xds\"",
            "\"logName\": \"tollgate\"",
            "\"transportApiVersion\": \"V3\"",
            "\"bufferFlushInterval\": \"1s\"");
  }
}
