package io.tollgate.controlplane.accesslog;

import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.tollgate.controlplane.ControlPlaneSettings;
import io.tollgate.controlplane.xds.translate.TranslatorExtension;
import io.tollgate.controlplane.xds.translate.TranslatorInput;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Adds the gRPC access log to the listener, so the statistics receive every request; nothing when
 * {@code TOLLGATE_ACCESSLOG_ENABLED=false}.
 */
@Component
public class AccessLogTranslatorExtension implements TranslatorExtension {

  private final GrpcAccessLogFactory factory = new GrpcAccessLogFactory();
  private final boolean enabled;

  @Autowired
  public AccessLogTranslatorExtension(ControlPlaneSettings settings) {
    this(settings.accessLog().enabled());
  }

  public AccessLogTranslatorExtension(boolean enabled) {
    this.enabled = enabled;
  }

  @Override
  public List<AccessLog> accessLogs(TranslatorInput input) {
    return enabled ? List.of(factory.create()) : List.of();
  }
}
