package io.tollgate.controlplane.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.controlplane.ControlPlaneApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

class AdminExposureTest {

  @Test
  void loopbackNeedsNoToken() {
    new AdminExposure("127.0.0.1", null).requireSafe();
    new AdminExposure("::1", "").requireSafe();
    new AdminExposure("127.0.0.2", null).requireSafe();
    assertThat(new AdminExposure("127.0.0.1", null).tokenRequired()).isFalse();
  }

  @Test
  void beyondLoopbackWithoutTokenIsRefusedWithTheFix() {
    for (String address : new String[] {"0.0.0.0", "", "::", "192.0.2.10"}) {
      assertThatThrownBy(() -> new AdminExposure(address, null).requireSafe())
          .as(address)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("TOLLGATE_ADMIN_TOKEN");
    }
    new AdminExposure("0.0.0.0", "s3cret").requireSafe();
    assertThat(new AdminExposure("127.0.0.1", "s3cret").tokenRequired()).isTrue();
  }

  @Test
  void theApplicationRefusesToStartExposedWithoutAToken() {
    // Command-line arguments, so they win over application.yaml as SERVER_ADDRESS would.
    SpringApplicationBuilder app = new SpringApplicationBuilder(ControlPlaneApplication.class);
    assertThatThrownBy(
            () ->
                app.run(
                    "--server.address=0.0.0.0",
                    "--server.port=0",
                    "--tollgate.xds.port=0",
                    "--tollgate.config=src/test/resources/golden/http-mock.in.yaml",
                    "--spring.datasource.url=jdbc:h2:mem:exposed;DB_CLOSE_DELAY=-1"))
        .hasRootCauseInstanceOf(IllegalStateException.class)
        .rootCause()
        .hasMessageContaining("beyond loopback")
        .hasMessageContaining("TOLLGATE_ADMIN_TOKEN");
  }
}
