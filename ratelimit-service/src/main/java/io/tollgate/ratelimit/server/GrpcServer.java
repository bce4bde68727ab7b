package io.tollgate.ratelimit.server;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.tollgate.ratelimit.settings.Settings;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC port: the rate-limit service and the health service. Calls run on Netty's event loop
 * (direct executor) because deciding never blocks, which saves a thread hand-off per call.
 */
public final class GrpcServer implements AutoCloseable {

  private final Server server;

  public GrpcServer(Settings.Listen listen, BindableService... services) throws IOException {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(listen.grpcHost(), listen.grpcPort()), credentials(listen))
            .directExecutor()
            .maxConnectionAge(listen.grpcMaxConnectionAge().toMillis(), TimeUnit.MILLISECONDS)
            .maxConnectionAgeGrace(
                listen.grpcMaxConnectionAgeGrace().toMillis(), TimeUnit.MILLISECONDS);
    for (BindableService s : services) {
      builder.addService(s);
    }
    this.server = builder.build();
  }

  private static ServerCredentials credentials(Settings.Listen listen) throws IOException {
    if (!listen.grpcTls()) {
      return InsecureServerCredentials.create();
    }
    TlsServerCredentials.Builder tls =
        TlsServerCredentials.newBuilder()
            .keyManager(new File(listen.grpcTlsCert()), new File(listen.grpcTlsKey()));
    if (!listen.grpcClientCaCert().isEmpty()) {
      tls.trustManager(new File(listen.grpcClientCaCert()))
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    return tls.build();
  }

  public void start() throws IOException {
    server.start();
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
