package io.tollgate.controlplane.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The extensions the application wires (in the order {@code XdsConfiguration} hands them to the
 * translator) are exactly {@link ProductionTranslation#extensions()}: a new extension, or one
 * dropped, fails here until the production golden and Envoy-validate cases cover it.
 */
@SpringBootTest(
    properties = {
      "spring.datasource.url=jdbc:h2:mem:production-extensions;DB_CLOSE_DELAY=-1",
      "tollgate.xds.port=0",
      "tollgate.config=src/test/resources/golden/http-mock.in.yaml"
    })
class ProductionExtensionsTest {

  @Autowired ObjectProvider<TranslatorExtension> wired;

  @Test
  void theWiredExtensionsAreTheProductionSet() {
    assertThat(wired.orderedStream().map(Object::getClass).toList())
        .isEqualTo(ProductionTranslation.extensions().stream().map(Object::getClass).toList());
  }
}
