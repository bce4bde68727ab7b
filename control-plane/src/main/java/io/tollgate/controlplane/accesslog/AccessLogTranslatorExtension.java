package io.tollgate.controlplane.accesslog;

import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.tollgate.controlplane.ControlPlaneSettings;
import io.tollgate.controlplane.xds.translate.TranslatorExtension;
import io.tollgate.controlplane.xds.translate.TranslatorInput;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Adds the gRPC access log to the listener, so the statistics receive every request (or the sample
 * {@code TOLLGATE_ACCESSLOG_SAMPLE_ONE_IN} asks for); nothing when {@code
 * TOLLGATE_ACCESSLOG_ENABLED=false}.
 */
@Component
public class AccessLogTranslatorExtension implements TranslatorExtension {

  private final GrpcAccessLogFactory factory = new GrpcAccessLogFactory();
  private final ControlPlaneSettings.AccessLog settings;

  @Autowired
  public AccessLogTranslatorExtension(ControlPlaneSettings settings) {
    this(settings.accessLog());
  }

  public AccessLogTranslatorExtension(ControlPlaneSettings.AccessLog settings) {
    this.settings = settings;
  }

  @Override
  public List<AccessLog> accessLogs(TranslatorInput input) {
    return settings.enabled() ? List.of(factory.create(settings.sampleOneIn())) : List.of();
  }
}
