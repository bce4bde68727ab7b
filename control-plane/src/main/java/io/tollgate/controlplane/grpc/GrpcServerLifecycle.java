package io.tollgate.controlplane.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.tollgate.controlplane.ControlPlaneSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The one gRPC port of the control plane (ADS for Envoy and the rate-limit services, and the
 * access-log sink): every {@link BindableService} bean is served on it, plus gRPC health.
 */
@Component
class GrpcServerLifecycle implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(GrpcServerLifecycle.class);

  private final ControlPlaneSettings settings;
  private final List<BindableService> services;
  private final HealthStatusManager health = new HealthStatusManager();
  private volatile Server server;

  GrpcServerLifecycle(ControlPlaneSettings settings, List<BindableService> services) {
    this.settings = settings;
    this.services = services;
  }

  @Override
  public void start() {
    InetSocketAddress address =
        new InetSocketAddress(settings.xds().address(), settings.xds().port());
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(address)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .addService(health.getHealthService());
    services.forEach(builder::addService);
    try {
      server = builder.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for gRPC on " + address, e);
    }
    log.info("gRPC (xDS, access logs) listening on {}", address);
  }

  @Override
  public void stop() {
    Server s = server;
    if (s != null) {
      health.enterTerminalState();
      s.shutdown();
      try {
        if (!s.awaitTermination(5, TimeUnit.SECONDS)) {
          s.shutdownNow();
        }
      } catch (InterruptedException e) {
        s.shutdownNow();
        Thread.currentThread().interrupt();
      }
      server = null;
    }
  }

  @Override
  public boolean isRunning() {
    return server != null;
  }

  /** The port actually bound (settings may ask for 0 in tests). */
  public int port() {
    return server.getPort();
  }
}
