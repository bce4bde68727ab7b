package io.tollgate.controlplane.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.controlplane.configfile.GatewayConfigParser;
import io.tollgate.controlplane.xds.translate.TranslatorInput;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** TOLLGATE_ACCESSLOG_ENABLED: the listener gets the gRPC access log only when it is on. */
class AccessLogTranslatorExtensionTest {

  private static TranslatorInput input() throws Exception {
    Path in = Path.of("src/test/resources/golden/http-mock.in.yaml");
    return TranslatorInput.of(
        new GatewayConfigParser().parse(in.getFileName().toString(), Files.readString(in)));
  }

  @Test
  void onTheListenerStreamsItsAccessLog() throws Exception {
    assertThat(new AccessLogTranslatorExtension(true).accessLogs(input()))
        .singleElement()
        .satisfies(log -> assertThat(log.getName()).isEqualTo(GrpcAccessLogFactory.LOGGER));
  }

  @Test
  void offTheListenerHasNoAccessLog() throws Exception {
    assertThat(new AccessLogTranslatorExtension(false).accessLogs(input())).isEmpty();
  }
}
