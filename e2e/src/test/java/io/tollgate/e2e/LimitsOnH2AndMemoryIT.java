package io.tollgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.testsupport.SourceAddressHttp.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

/**
 * The limits suite with the defaults: H2 file, in-memory counters, fail open. Also the response
 * cache's end-to-end tests, on this stack (Envoy, control plane, rate-limit service, nginx mock):
 * the cache does not depend on the store, so one variant runs them.
 */
class LimitsOnH2AndMemoryIT extends LimitsSuite {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CACHE_HEADER = "x-tollgate-cache";

  @Override
  LimitsStack.Variant variant() {
    return new LimitsStack.Variant(false, false, false);
  }

  /** The stack's mock behind a cached route for {@code /cache/} and the usual default route. */
  private String cacheConfig() {
    return """
        upstreams:
          - name: mock
            url: %s
        routes:
          - name: cached
            match: { pathPrefix: /cache/ }
            upstream: mock
            cache: { ttl: 60s }
          - name: default
            match: { pathPrefix: / }
            upstream: mock
        """
        .formatted(stack.gateway().mock().httpUrl());
  }

  @Test
  void repeatedGetsHitTheCacheAndCachedAnswersStillCountAgainstLimits() {
    stack.gateway().use(cacheConfig());
    long hitsBefore = summaryCacheHits();
    String path = "/cache/items/MLA1?run=" + System.nanoTime();

    List<Response> responses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      responses.add(stack.get(IP1, path));
    }

    assertThat(responses).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(responses.get(0).header(CACHE_HEADER)).contains("miss");
    long hits =
        responses.stream().filter(r -> r.header(CACHE_HEADER).orElse("").equals("hit")).count();
    assertThat((double) hits / responses.size()).as("hit ratio").isEqualTo(0.95);
    assertThat(responses).extracting(Response::body).containsOnly(responses.get(0).body());
    assertThat(responses.get(1).header("age")).isPresent();
    assertThat(upstreamRequests(path)).as("requests that reached the mock").isEqualTo(1);
    // The statistics count the hits from the access log.
    Awaitility.await("cacheHits in the summary")
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(summaryCacheHits()).isEqualTo(hitsBefore + hits));

    // The rate limit runs before the cache: 3/minute gives three answers (one fetched, two from the
    // cache), then 429s, and the upstream saw one request.
    long version =
        stack.create(
            """
            {"name":"cache-limit","match":{"pathPrefix":"/cache/limited/"},"by":["ip"],
             "limit":{"requests":3,"per":"minute"}}""");
    stack.awaitApplied(version);
    String limited = "/cache/limited/a?run=" + System.nanoTime();
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      statuses.add(stack.get(IP2, limited).status());
    }
    assertThat(statuses).containsExactly(200, 200, 200, 429, 429);
    assertThat(upstreamRequests(limited)).isEqualTo(1);
    stack.delete("cache-limit");
  }

  @Test
  void noStoreVaryAndAuthorizationAreRespected() {
    stack.gateway().use(cacheConfig());
    String run = "?run=" + System.nanoTime();

    String noStore = "/cache/no-store/a" + run;
    for (int i = 0; i < 3; i++) {
      assertThat(stack.get(IP1, noStore).header(CACHE_HEADER)).contains("miss");
    }
    assertThat(upstreamRequests(noStore)).as("Cache-Control: no-store").isEqualTo(3);

    // An answer with Vary is never stored (Envoy 1.40 cannot serve variants safely), so no client
    // gets another's variant.
    String vary = "/cache/vary/a" + run;
    for (String lang : List.of("es", "es", "pt")) {
      assertThat(stack.send(IP1, "GET", vary, Map.of("Accept-Language", lang)).header(CACHE_HEADER))
          .contains("miss");
    }
    assertThat(upstreamRequests(vary)).as("Vary: Accept-Language").isEqualTo(3);

    // A request with credentials bypasses the shared cache.
    String auth = "/cache/auth" + run;
    for (int i = 0; i < 2; i++) {
      stack.send(IP1, "GET", auth, Map.of("Authorization", "Bearer t"));
    }
    assertThat(upstreamRequests(auth)).as("Authorization").isEqualTo(2);

    // A route without cache never caches, whatever the upstream says.
    stack.gateway().use(stack.gateway().httpMockConfig());
    String uncached = "/cache/off" + run;
    for (int i = 0; i < 2; i++) {
      assertThat(stack.get(IP1, uncached).header(CACHE_HEADER)).isEmpty();
    }
    assertThat(upstreamRequests(uncached)).isEqualTo(2);
  }

  private long upstreamRequests(String pathAndQuery) {
    return stack.gateway().mock().cacheRequests().stream()
        .filter(line -> line.startsWith("GET " + pathAndQuery + " "))
        .count();
  }

  private long summaryCacheHits() {
    return JSON.readTree(stack.rest("GET", "/api/v1/stats/summary", null, null).body())
        .path("cacheHits")
        .asLong();
  }
}
