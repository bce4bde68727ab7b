package io.tollgate.e2e;

import io.tollgate.testsupport.ControlPlaneProcess;
import io.tollgate.testsupport.EnvoyProcess;
import io.tollgate.testsupport.FreePorts;
import io.tollgate.testsupport.HttpCalls;
import io.tollgate.testsupport.MockUpstream;
import io.tollgate.testsupport.RateLimitServiceProcess;
import io.tollgate.testsupport.Scratch;
import io.tollgate.testsupport.Teardown;
import io.tollgate.testsupport.TestCa;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The whole proxy path on free loopback ports: a test CA (and an unrelated one), the nginx mock
 * over HTTP and TLS, the control plane serving a tollgate.yaml this stack owns, and Envoy fed by
 * it. One instance serves the whole suite ({@link SharedStack}): the control plane's startup is
 * most of an end-to-end test's time. Stopped in reverse order, even when starting fails.
 */
final class TollgateStack implements AutoCloseable {

  /** Envoy's config-dump message for each xDS type Tollgate serves it, and that type's URL. */
  private static final Map<String, String> ENVOY_TYPES =
      Map.of(
          "ListenersConfigDump", "type.googleapis.com/envoy.config.listener.v3.Listener",
          "ClustersConfigDump", "type.googleapis.com/envoy.config.cluster.v3.Cluster",
          "RoutesConfigDump", "type.googleapis.com/envoy.config.route.v3.RouteConfiguration");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Teardown started = new Teardown();
  private final Path dir;
  private final int proxyPort;
  private final int rateLimitPort;
  private final Path config;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private TestCa ca;
  private TestCa otherCa;
  private MockUpstream mock;
  private ControlPlaneProcess controlPlane;
  private EnvoyProcess envoy;
  private RateLimitServiceProcess rateLimit;
  private String written;

  private TollgateStack() {
    this.dir = Scratch.create("e2e");
    this.proxyPort = FreePorts.next();
    this.rateLimitPort = FreePorts.next();
    this.config = dir.resolve("tollgate.yaml");
  }

  /**
   * Starts everything, serving {@link #httpMockConfig()} first. Tests get the one shared instance
   * through {@link SharedStack}; this is for that extension.
   */
  static TollgateStack start() {
    return start(
        controlPlane ->
            controlPlane
                // Buckets of 2 s instead of 10 s: the control plane's Prometheus counters (sealed
                // buckets) catch up with its statistics within seconds (StatsIT's accounting).
                .env("TOLLGATE_STATS_BUCKET", "2s")
                // Short, so ApproximateTierIT's outage sees the whole documented sequence quickly.
                .env("TOLLGATE_APPROXIMATE_REUSE_LAST_ASSIGNMENT", "5s"));
  }

  /**
   * As {@link #start()}, with the control plane's options adjusted (env, database): for a class
   * that needs a stack of its own.
   */
  static TollgateStack start(Consumer<ControlPlaneProcess.Builder> controlPlaneOptions) {
    TollgateStack stack = new TollgateStack();
    try {
      stack.ca = TestCa.create(stack.dir, "test");
      stack.otherCa = TestCa.create(stack.dir, "other");
      stack.mock = MockUpstream.start(stack.ca.issueServerCertificate("mock"));
      stack.started.add(stack.mock);
      stack.writeConfig(stack.httpMockConfig());
      ControlPlaneProcess.Builder controlPlane =
          ControlPlaneProcess.builder(stack.config)
              .env("TOLLGATE_RATELIMIT_ADDRESS", "127.0.0.1")
              .env("TOLLGATE_RATELIMIT_PORT", Integer.toString(stack.rateLimitPort));
      controlPlaneOptions.accept(controlPlane);
      stack.controlPlane = controlPlane.start();
      stack.started.add(stack.controlPlane);
      stack.envoy = EnvoyProcess.builder(stack.controlPlane.xdsPort()).start();
      stack.started.add(stack.envoy);
      stack.envoy.awaitListener(Duration.ofSeconds(30));
      stack
          .envoy
          .process()
          .await(
              "the proxy to answer",
              Duration.ofSeconds(10),
              () -> stack.tryGet("/healthz").map(r -> r.statusCode() == 200).orElse(false));
      return stack;
    } catch (RuntimeException | Error e) {
      stack.close();
      throw e;
    }
  }

  /** Upstreams and routes sending everything to the mock's plain-HTTP port. */
  String httpMockConfig() {
    return routesTo(mock.httpUrl());
  }

  /** Upstreams and routes sending everything to {@code url}. */
  /** tollgate.yaml's listener on {@code proxyPort}, no trusted proxy hops: the tests' clients. */
  static String listenerOn(int proxyPort) {
    return "listener: { address: 127.0.0.1, port: %d, xffNumTrustedHops: 0 }\n"
        .formatted(proxyPort);
  }

  /** A whole tollgate.yaml: {@link #listenerOn} plus {@link #routesTo}. */
  static String proxyingTo(int proxyPort, String url) {
    return listenerOn(proxyPort) + routesTo(url);
  }

  static String routesTo(String url) {
    return """
        upstreams:
          - name: mock
            url: %s
        routes:
          - name: default
            match: { pathPrefix: / }
            upstream: mock
        """
        .formatted(url);
  }

  /**
   * Brings Envoy to {@code upstreamsAndRoutes}, whatever the previous test left: applies it when it
   * is not the config in force, then waits until Envoy runs the control plane's snapshot.
   */
  void use(String upstreamsAndRoutes) {
    if (!upstreamsAndRoutes.equals(written)) {
      applyConfig(upstreamsAndRoutes, Duration.ofSeconds(15));
    }
    awaitEnvoyInSync(Duration.ofSeconds(15));
  }

  TestCa ca() {
    return ca;
  }

  /** A CA that signed nothing the mock serves. */
  TestCa otherCa() {
    return otherCa;
  }

  MockUpstream mock() {
    return mock;
  }

  ControlPlaneProcess controlPlane() {
    return controlPlane;
  }

  EnvoyProcess envoy() {
    return envoy;
  }

  int proxyPort() {
    return proxyPort;
  }

  /** The gRPC port Envoy's rate-limit cluster points at (free, not the default 8090). */
  int rateLimitPort() {
    return rateLimitPort;
  }

  /**
   * The rate-limit service on {@link #rateLimitPort()} (memory store, configured over xDS by this
   * stack's control plane), started on first use, so only the classes that enforce limits pay for
   * it; stopped with the stack.
   */
  synchronized RateLimitServiceProcess rateLimitService() {
    if (rateLimit == null) {
      rateLimit =
          started.add(
              RateLimitServiceProcess.builder(controlPlane.xdsPort())
                  .grpcPort(rateLimitPort)
                  .start());
    }
    return rateLimit;
  }

  String proxyUrl() {
    return "http://127.0.0.1:" + proxyPort;
  }

  /**
   * Replaces tollgate.yaml atomically (a rename, as editors and config management do), so the
   * control plane never reads half a file.
   */
  void writeConfig(String upstreamsAndRoutes) {
    written = upstreamsAndRoutes;
    String yaml = listenerOn(proxyPort) + upstreamsAndRoutes;
    try {
      Path tmp = dir.resolve("tollgate.yaml.tmp");
      Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
      Files.move(tmp, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + config, e);
    }
  }

  /**
   * Writes the config and waits until the control plane published it and Envoy accepted it. The new
   * config must differ from the one in force (an identical one publishes nothing).
   */
  void applyConfig(String upstreamsAndRoutes, Duration timeout) {
    String before = snapshotVersion();
    writeConfig(upstreamsAndRoutes);
    controlPlane
        .process()
        .await(
            "the control plane to publish the new config",
            timeout,
            () -> !before.equals(snapshotVersion()));
    awaitEnvoyInSync(timeout);
  }

  private String snapshotVersion() {
    return json(rest("/api/v1/xds/snapshot").body()).path("version").asString();
  }

  /** GET through the proxy. */
  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(proxyUrl() + path)).GET());
  }

  /** GET straight from the mock, bypassing Envoy: what the upstream itself answers. */
  HttpResponse<String> getFromUpstream(String path) {
    return send(HttpRequest.newBuilder(URI.create(mock.httpUrl() + path)).GET());
  }

  HttpResponse<String> send(HttpRequest.Builder request) {
    return HttpCalls.send(http, request.timeout(Duration.ofSeconds(10)).build());
  }

  /**
   * Polls GET {@code path} through the proxy until {@code done} holds; returns how long it took.
   */
  Duration awaitProxy(String path, Predicate<HttpResponse<String>> done, Duration timeout) {
    long start = System.nanoTime();
    envoy
        .process()
        .await(
            "GET " + path + " through Envoy to answer as expected",
            timeout,
            () -> tryGet(path).map(done::test).orElse(false));
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /**
   * Waits until Envoy runs exactly the snapshot the control plane serves now: the version Envoy
   * accepted last for listeners, clusters and routes (its {@code /config_dump}) equals the control
   * plane's version of each type ({@code /api/v1/xds/snapshot}).
   */
  void awaitEnvoyInSync(Duration timeout) {
    String[] last = {"nothing yet"};
    try {
      envoy
          .process()
          .await(
              "Envoy to accept the control plane's current snapshot",
              timeout,
              () -> {
                try {
                  // A rule write returns before its coalesced publish: until the newest rules
                  // are in the served snapshot, "served equals acked" proves nothing.
                  JsonNode rules = json(rest("/api/v1/limits/status").body());
                  if (!rules.path("rulesVersion").equals(rules.path("publishedRulesVersion"))) {
                    last[0] = "rules not yet published: " + rules;
                    return false;
                  }
                  Map<String, String> served = servedVersions();
                  Map<String, String> dumped = envoyVersions();
                  Map<String, String> acked = ackedVersions();
                  last[0] = "served " + served + ", acked " + acked + ", Envoy's dump " + dumped;
                  // Either source alone can lag: the control plane lists only the types it sent
                  // on the current stream, and Envoy's dump keeps a rejected version until a
                  // change of that type.
                  return served.entrySet().stream()
                      .allMatch(
                          e ->
                              e.getValue().equals(acked.get(e.getKey()))
                                  || e.getValue().equals(dumped.get(e.getKey())));
                } catch (RuntimeException e) {
                  last[0] = e.toString();
                  return false;
                }
              });
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          last[0] + "\nxDS nodes: " + rest("/api/v1/xds/nodes").body(), e);
    }
  }

  /** Per type URL (listener, cluster, route): the version the control plane serves. */
  Map<String, String> servedVersions() {
    JsonNode typeVersions = json(rest("/api/v1/xds/snapshot").body()).path("typeVersions");
    Map<String, String> versions = new TreeMap<>();
    for (String type : ENVOY_TYPES.values()) {
      versions.put(type, typeVersions.path(type).asString());
    }
    return versions;
  }

  /** Per type URL: the version this Envoy acknowledged, as the control plane recorded it. */
  Map<String, String> ackedVersions() {
    Map<String, String> versions = new TreeMap<>();
    for (JsonNode node : json(rest("/api/v1/xds/nodes").body())) {
      if (node.path("id").asString().equals(envoy.nodeId())) {
        for (JsonNode type : node.path("types")) {
          versions.put(type.path("typeUrl").asString(), type.path("ackedVersion").asString());
        }
      }
    }
    return versions;
  }

  /** Per type URL (listener, cluster, route): the version in Envoy's config dump. */
  Map<String, String> envoyVersions() {
    Map<String, String> versions = new TreeMap<>();
    for (JsonNode config : json(envoy.admin("/config_dump")).path("configs")) {
      String dump = config.path("@type").asString();
      String type = ENVOY_TYPES.get(dump.substring(dump.lastIndexOf('.') + 1));
      if (type == null) {
        continue;
      }
      if (config.has("dynamic_route_configs")) {
        for (JsonNode route : config.path("dynamic_route_configs")) {
          versions.merge(type, route.path("version_info").asString(), (a, b) -> a + "," + b);
        }
      } else {
        versions.put(type, config.path("version_info").asString());
      }
    }
    return versions;
  }

  /** GET on the control plane's REST port. */
  HttpResponse<String> rest(String path) {
    return send(HttpRequest.newBuilder(URI.create(controlPlane.baseUrl() + path)).GET());
  }

  /** A request on the control plane's REST port: a JSON body or none, an If-Match or none. */
  HttpResponse<String> rest(String method, String path, String body, String ifMatch) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(controlPlane.baseUrl() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    if (ifMatch != null) {
      request.header("If-Match", ifMatch);
    }
    return send(request);
  }

  private static JsonNode json(String body) {
    return JSON.readTree(body);
  }

  private Optional<HttpResponse<String>> tryGet(String path) {
    try {
      return Optional.of(get(path));
    } catch (UncheckedIOException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    started.close();
    Scratch.delete(dir);
  }
}
