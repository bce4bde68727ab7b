package io.tollgate.controlplane.routing.rest;

import io.swagger.v3.oas.annotations.tags.Tag;
import io.tollgate.controlplane.routing.RoutingKind;
import io.tollgate.controlplane.routing.store.RoutingService;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/upstreams}: the REST API's elements of {@code upstreams:} in {@code
 * tollgate.yaml}.
 */
@RestController
@RequestMapping("/api/v1/upstreams")
@Tag(name = "upstreams", description = "APIs behind the proxy, added to the file's")
class UpstreamsController extends RoutingEntriesController {

  UpstreamsController(RoutingService service) {
    super(service, RoutingKind.UPSTREAM);
  }
}
