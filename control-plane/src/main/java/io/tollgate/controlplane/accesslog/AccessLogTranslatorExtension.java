package io.tollgate.controlplane.accesslog;

import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.tollgate.controlplane.xds.translate.TranslatorExtension;
import io.tollgate.controlplane.xds.translate.TranslatorInput;
import java.util.List;
import org.springframework.stereotype.Component;

/** Adds the gRPC access log to the listener, so the statistics receive every request. */
@Component
public class AccessLogTranslatorExtension implements TranslatorExtension {

  private final GrpcAccessLogFactory factory = new GrpcAccessLogFactory();

  @Override
  public List<AccessLog> accessLogs(TranslatorInput input) {
    return List.of(factory.create());
  }
}
