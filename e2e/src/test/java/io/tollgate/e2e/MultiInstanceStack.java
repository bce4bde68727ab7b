package io.tollgate.e2e;

import io.tollgate.testsupport.ControlPlaneProcess;
import io.tollgate.testsupport.EnvoyProcess;
import io.tollgate.testsupport.FreePorts;
import io.tollgate.testsupport.HttpCalls;
import io.tollgate.testsupport.MockUpstream;
import io.tollgate.testsupport.PostgresServer;
import io.tollgate.testsupport.RateLimitServiceProcess;
import io.tollgate.testsupport.RedisCluster;
import io.tollgate.testsupport.Scratch;
import io.tollgate.testsupport.SourceAddressHttp;
import io.tollgate.testsupport.Teardown;
import io.tollgate.testsupport.TestCa;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Two of everything on loopback: control planes A and B on one PostgreSQL, rate-limit services 1
 * (configured by A) and 2 (by B) counting in a Redis Cluster of three masters with a replica each,
 * Envoys 1 (control planes A then B) and 2 (B then A), each reaching both rate-limit services. Both
 * Envoys bind the same proxy port (SO_REUSEPORT), so the kernel spreads client connections over
 * them as an L4 load balancer would, and sends every new one to the survivor when one stops. Every
 * rate-limit failure is a 500 (fail closed): none can pass unseen.
 */
final class MultiInstanceStack implements AutoCloseable {

  private final Teardown started = new Teardown();
  private final Path dir = Scratch.create("multi");
  private final int proxyPort = FreePorts.next();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private RedisCluster redis;
  private ControlPlaneProcess controlPlaneA;
  private ControlPlaneProcess controlPlaneB;
  private RateLimitServiceProcess rateLimit1;
  private RateLimitServiceProcess rateLimit2;
  private EnvoyProcess envoy1;
  private EnvoyProcess envoy2;

  static MultiInstanceStack start() {
    MultiInstanceStack stack = new MultiInstanceStack();
    try {
      stack.startAll();
      return stack;
    } catch (RuntimeException | Error e) {
      stack.close();
      throw e;
    }
  }

  private void startAll() {
    CompletableFuture<PostgresServer> postgres = async(() -> PostgresServer.start("tollgate"));
    CompletableFuture<RedisCluster> cluster = async(RedisCluster::startWithReplicas);
    TestCa ca = TestCa.create(dir, "test");
    MockUpstream mock = started.add(MockUpstream.start(ca.issueServerCertificate("mock")));
    Path config = dir.resolve("tollgate.yaml");
    write(config, TollgateStack.proxyingTo(proxyPort, mock.httpUrl()));
    PostgresServer db = started.add(postgres.join());
    redis = started.add(cluster.join());

    int grpc1 = FreePorts.next();
    int grpc2 = FreePorts.next();
    String rateLimitServices = "127.0.0.1:" + grpc1 + ",127.0.0.1:" + grpc2;
    Supplier<ControlPlaneProcess> controlPlane =
        () ->
            started.add(
                ControlPlaneProcess.builder(config)
                    .env("TOLLGATE_DB_URL", db.jdbcUrl())
                    .env("SPRING_DATASOURCE_USERNAME", db.user())
                    .env("TOLLGATE_RATELIMIT_ADDRESS", rateLimitServices)
                    .env("TOLLGATE_RATELIMIT_FAILUREMODEDENY", "true")
                    // Generous for a busy shared machine: a late answer would be a 500 here.
                    .env("TOLLGATE_RATELIMIT_TIMEOUT", "2s")
                    .start());
    CompletableFuture<ControlPlaneProcess> a = async(controlPlane);
    CompletableFuture<ControlPlaneProcess> b = async(controlPlane);
    controlPlaneA = a.join();
    controlPlaneB = b.join();

    CompletableFuture<RateLimitServiceProcess> r1 =
        async(() -> started.add(rateLimit(controlPlaneA, grpc1)));
    CompletableFuture<RateLimitServiceProcess> r2 =
        async(() -> started.add(rateLimit(controlPlaneB, grpc2)));
    rateLimit1 = r1.join();
    rateLimit2 = r2.join();

    envoy1 =
        started.add(
            EnvoyProcess.builder(controlPlaneA.xdsPort())
                .fallbackXdsPorts(controlPlaneB.xdsPort())
                .nodeId("envoy-1")
                .start());
    envoy2 =
        started.add(
            EnvoyProcess.builder(controlPlaneB.xdsPort())
                .fallbackXdsPorts(controlPlaneA.xdsPort())
                .nodeId("envoy-2")
                .start());
    for (EnvoyProcess envoy : List.of(envoy1, envoy2)) {
      envoy.awaitListener(Duration.ofSeconds(60));
    }
  }

  private RateLimitServiceProcess rateLimit(ControlPlaneProcess controlPlane, int grpcPort) {
    return RateLimitServiceProcess.builder(controlPlane.xdsPort())
        .grpcPort(grpcPort)
        .redis(redis.addresses())
        .env("REDIS_TYPE", "CLUSTER")
        .env("STORE_DEADLINE", "1s")
        .start();
  }

  private static <T> CompletableFuture<T> async(Supplier<T> start) {
    return CompletableFuture.supplyAsync(start);
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  RedisCluster redis() {
    return redis;
  }

  ControlPlaneProcess controlPlaneA() {
    return controlPlaneA;
  }

  ControlPlaneProcess controlPlaneB() {
    return controlPlaneB;
  }

  RateLimitServiceProcess rateLimit1() {
    return rateLimit1;
  }

  RateLimitServiceProcess rateLimit2() {
    return rateLimit2;
  }

  EnvoyProcess envoy1() {
    return envoy1;
  }

  EnvoyProcess envoy2() {
    return envoy2;
  }

  /** GET through whichever Envoy the kernel hands the connection to. */
  SourceAddressHttp.Response get(String clientIp, String path) {
    return SourceAddressHttp.from(clientIp).get("127.0.0.1", proxyPort, path);
  }

  /** A request to a control plane's REST API. */
  HttpResponse<String> rest(ControlPlaneProcess cp, String method, String path, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(cp.baseUrl() + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return HttpCalls.send(http, request.build());
  }

  @Override
  public void close() {
    started.close();
    Scratch.delete(dir);
  }
}
