package io.tollgate.controlplane.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.options;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.tollgate.controlplane.limits.store.LimitRuleTables;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.MockMvc;

/**
 * Loopback without a token, as {@code make run} starts it: convenient for curl, unreachable from a
 * web page (cross-site request forgery, DNS rebinding), CORS off.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.datasource.url=jdbc:h2:mem:browser-requests;DB_CLOSE_DELAY=-1",
      "tollgate.xds.port=0",
      "tollgate.config=src/test/resources/golden/http-mock.in.yaml"
    })
@AutoConfigureMockMvc
class BrowserRequestsTest {

  private static final String RULE =
      """
      {"name":"csrf","match":{},"by":[],"limit":{"requests":0,"per":"minute"}}""";

  @LocalServerPort int port;
  @Autowired MockMvc mvc;
  @Autowired JdbcTemplate jdbc;

  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void empty() {
    LimitRuleTables.empty(jdbc);
  }

  /** The request, over real HTTP: a page's text/plain POST, no preflight needed. */
  @Test
  void aCrossSiteSimpleRequestIsRefusedAndStoresNothing() throws Exception {
    HttpResponse<String> fromPage = postOverHttp("http://evil.example", "text/plain", RULE);
    assertThat(fromPage.statusCode()).as(fromPage.body()).isEqualTo(403);
    assertThat(fromPage.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    assertThat(fromPage.body()).contains("\"field\":\"Origin\"").contains("evil.example");

    HttpResponse<String> plain = postOverHttp(null, "text/plain", RULE);
    assertThat(plain.statusCode()).as(plain.body()).isEqualTo(415);
    assertThat(plain.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    assertThat(plain.headers().firstValue("Accept")).hasValue("application/json");
    assertThat(plain.body()).contains("\"field\":\"Content-Type\"");

    HttpResponse<String> nullOrigin = postOverHttp("null", "application/json", RULE);
    assertThat(nullOrigin.statusCode()).as(nullOrigin.body()).isEqualTo(403);
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM limit_rule", Integer.class)).isZero();
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM limit_rule_aud", Integer.class)).isZero();

    // curl from the operator's shell, and the control plane's own pages, still work.
    assertThat(postOverHttp(null, "application/json", RULE).statusCode()).isEqualTo(201);
    assertThat(
            postOverHttp(
                    "http://127.0.0.1:" + port, "application/json", RULE.replace("csrf", "own"))
                .statusCode())
        .isEqualTo(201);
  }

  /** DNS rebinding: the page's name resolves to 127.0.0.1, but its requests carry that name. */
  @Test
  void aForeignHostIsRefusedOnTheApiAndOnEveryChange() throws Exception {
    mvc.perform(get("/api/v1/limits").header("Host", "evil.example:" + 80))
        .andExpect(status().isForbidden())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.field").value("Host"));
    mvc.perform(get("/api/v1/stats/summary").header("Host", "evil.example"))
        .andExpect(status().isForbidden());
    mvc.perform(get("/").header("Host", "evil.example")).andExpect(status().isForbidden());
    mvc.perform(
            post("/api/v1/limits")
                .header("Host", "evil.example")
                .contentType(MediaType.APPLICATION_JSON)
                .content(RULE))
        .andExpect(status().isForbidden())
        .andExpect(jsonPath("$.field").value("Host"));
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM limit_rule", Integer.class)).isZero();

    // MockMvc's connection arrives on port 80.
    mvc.perform(get("/api/v1/limits").header("Host", "localhost")).andExpect(status().isOk());
    mvc.perform(get("/api/v1/limits").header("Host", "127.0.0.1:80")).andExpect(status().isOk());
    mvc.perform(get("/api/v1/limits").header("Host", "localhost:8080"))
        .andExpect(status().isForbidden());
  }

  /** The dashboard at / reads /api/v1/stats same-origin. */
  @Test
  void theDashboardAndItsSameOriginFetchesKeepWorking() throws Exception {
    mvc.perform(get("/").header("Host", "localhost")).andExpect(status().isOk());
    mvc.perform(
            get("/api/v1/stats/summary")
                .header("Host", "localhost")
                .header("Origin", "http://localhost"))
        .andExpect(status().isOk());
    HttpResponse<String> summary =
        http.send(
            HttpRequest.newBuilder(URI.create(base() + "/api/v1/stats/summary"))
                .header("Origin", base())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(summary.statusCode()).as(summary.body()).isEqualTo(200);
  }

  /** Probes and Prometheus address a pod by IP or service name: actuator reads skip Host. */
  @Test
  void actuatorReadsSkipTheHostCheckButNotTheOriginCheck() throws Exception {
    mvc.perform(get("/actuator/health").header("Host", "10.244.1.7:8081"))
        .andExpect(status().isOk());
    mvc.perform(get("/actuator/prometheus").header("Host", "control-plane:8081"))
        .andExpect(status().isOk());
    mvc.perform(
            get("/actuator/prometheus")
                .header("Host", "localhost")
                .header("Origin", "http://evil.example"))
        .andExpect(status().isForbidden())
        .andExpect(jsonPath("$.field").value("Origin"));
  }

  @Test
  void corsIsOffSoPreflightsAreRefused() throws Exception {
    mvc.perform(
            options("/api/v1/limits")
                .header("Host", "localhost")
                .header("Origin", "http://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type"))
        .andExpect(status().isForbidden())
        .andExpect(header().doesNotExist("Access-Control-Allow-Origin"));
    mvc.perform(get("/api/v1/limits").header("Host", "localhost"))
        .andExpect(status().isOk())
        .andExpect(header().doesNotExist("Access-Control-Allow-Origin"));
  }

  private HttpResponse<String> postOverHttp(String origin, String contentType, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base() + "/api/v1/limits"))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (origin != null) {
      b.header("Origin", origin);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String base() {
    return "http://127.0.0.1:" + port;
  }
}
