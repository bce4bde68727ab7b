package io.tollgate.controlplane.routing.rest;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.tollgate.controlplane.routing.RoutingKind;
import io.tollgate.controlplane.routing.store.RoutingService;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/routes}: the REST API's elements of {@code routes:} in {@code tollgate.yaml}. */
@RestController
@RequestMapping("/api/v1/routes")
@Tag(
    name = "routes",
    description = "Paths sent to an upstream, after the file's routes in name order")
class RoutesController extends RoutingEntriesController {

  RoutesController(RoutingService service) {
    super(service, RoutingKind.ROUTE);
  }
}
