package io.tollgate.controlplane.routing.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.tollgate.controlplane.limits.rest.ManagedResourceApi;
import io.tollgate.controlplane.xds.SnapshotPublisher;
import io.tollgate.controlplane.xds.translate.EnvoyResourcesJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/**
 * {@code /api/v1/upstreams} and {@code /api/v1/routes} on an in-memory H2 database, with the file's
 * {@code mock} upstream and {@code orders} route: the file's checks naming the field, ETags,
 * history and restore, the file winning for its names, and every change in the served snapshot.
 */
@SpringBootTest(
    properties = {
      "spring.datasource.url=jdbc:h2:mem:routing-api;DB_CLOSE_DELAY=-1",
      "tollgate.xds.port=0",
      "tollgate.config=src/test/resources/routing/tollgate.yaml"
    })
@AutoConfigureMockMvc
class RoutingApiTest {

  private static final String SECOND =
      """
      {"name":"second","url":"http://127.0.0.1:9","timeout":"3s"}""";
  private static final String BILLING =
      """
      {"name":"billing","match":{"pathPrefix":"/billing"},"upstream":"second"}""";

  @Autowired MockMvc mvc;
  @Autowired JdbcTemplate jdbc;
  @Autowired SnapshotPublisher snapshots;

  @BeforeEach
  void empty() {
    jdbc.update("DELETE FROM routing_entry_aud");
    jdbc.update("DELETE FROM routing_entry");
    jdbc.update("UPDATE routing_state SET version = version + 1");
    snapshots.overlay(file -> file);
  }

  @Test
  void anUpstreamAndARouteAreServedAndTheUpstreamCannotGoWhileTheRouteUsesIt() throws Exception {
    String upstreamEtag =
        create("/api/v1/upstreams", SECOND)
            .andExpect(status().isCreated())
            .andExpect(header().string("Location", "/api/v1/upstreams/second"))
            .andExpect(jsonPath("$.source").value("rest"))
            .andExpect(jsonPath("$.shadowedByFile").value(false))
            .andReturn()
            .getResponse()
            .getHeader("ETag");
    create("/api/v1/routes", BILLING).andExpect(status().isCreated());
    assertThat(served()).contains("\"second\"").contains("/billing");

    mvc.perform(delete("/api/v1/upstreams/second").header("If-Match", upstreamEtag))
        .andExpect(status().isConflict())
        .andExpect(content().string(org.hamcrest.Matchers.containsString("billing")));
    mvc.perform(delete("/api/v1/routes/billing").header("If-Match", "*"))
        .andExpect(status().isNoContent());
    mvc.perform(delete("/api/v1/upstreams/second").header("If-Match", upstreamEtag))
        .andExpect(status().isNoContent());
    assertThat(served()).doesNotContain("/billing").doesNotContain("\"second\"");
  }

  @Test
  void changesNeedTheEtagAndHaveAHistoryToRestoreFrom() throws Exception {
    String etag = create("/api/v1/upstreams", SECOND).andReturn().getResponse().getHeader("ETag");
    ManagedResourceApi upstreams = new ManagedResourceApi(mvc, "/api/v1/upstreams");
    String etag2 =
        upstreams
            .replaceNeedsTheEtag("second", etag, SECOND.replace("3s", "4s"))
            .andExpect(jsonPath("$.timeout").value("4s"))
            .andReturn()
            .getResponse()
            .getHeader("ETag");
    mvc.perform(get("/api/v1/upstreams/second"))
        .andExpect(status().isOk())
        .andExpect(header().string("ETag", etag2));
    mvc.perform(delete("/api/v1/upstreams/second").header("If-Match", etag2))
        .andExpect(status().isNoContent());
    long created = upstreams.createdUpdatedDeleted("second", "timeout", "3s");
    upstreams.restoreDeleted("second", created).andExpect(jsonPath("$.timeout").value("3s"));
    assertThat(served()).contains("\"second\"");
    upstreams.historyPagesAreBounded("second");
    new ManagedResourceApi(mvc, "/api/v1/routes").historyPagesAreBounded("billing");
  }

  @Test
  void theFileWinsForTheNamesItDeclares() throws Exception {
    create("/api/v1/routes", BILLING.replace("billing", "orders").replace("second", "mock"))
        .andExpect(status().isConflict())
        .andExpect(jsonPath("$.field").value("name"));
    create("/api/v1/upstreams", SECOND.replace("second", "mock")).andExpect(status().isConflict());
    mvc.perform(delete("/api/v1/routes/orders").header("If-Match", "*"))
        .andExpect(status().isConflict());
    // A REST route may use the file's upstream.
    create("/api/v1/routes", BILLING.replace("second", "mock")).andExpect(status().isCreated());
    mvc.perform(get("/api/v1/routes"))
        .andExpect(jsonPath("$.entries[0].name").value("billing"))
        .andExpect(jsonPath("$.entries[0].shadowedByFile").value(false));
  }

  @Test
  void aChangeThatBreaksARestRouteIsAConflictNamingIt() throws Exception {
    create("/api/v1/upstreams", SECOND).andExpect(status().isCreated());
    create(
            "/api/v1/routes",
            "{\"name\":\"billing\",\"match\":{\"pathPrefix\":\"/billing\"},"
                + "\"upstream\":\"second\",\"retries\":{\"perTryTimeout\":\"2s\"}}")
        .andExpect(status().isCreated());

    mvc.perform(
            put("/api/v1/upstreams/second")
                .header("If-Match", "*")
                .contentType(MediaType.APPLICATION_JSON)
                .content(SECOND.replace("3s", "1s")))
        .andExpect(status().isConflict())
        .andExpect(
            jsonPath("$.detail")
                .value(org.hamcrest.Matchers.containsString("retries.perTryTimeout")))
        .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("billing")));
    mvc.perform(
            put("/api/v1/routes/billing")
                .header("If-Match", "*")
                .contentType(MediaType.APPLICATION_JSON)
                .content(BILLING.replace("\"billing\",", "\"other\",")))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.field").value("name"));
    mvc.perform(get("/api/v1/upstreams/second")).andExpect(jsonPath("$.timeout").value("3s"));
  }

  /** One fixture per check of the file's that a REST entry goes through, named as in the file. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/api/v1/routes|{\"name\":\"r\",\"match\":{\"pathPrefix\":\"nope\"},\"upstream\":\"mock\"}|match.pathPrefix",
        "/api/v1/routes|{\"name\":\"r\",\"match\":{\"pathPrefix\":\"/r\"},\"upstream\":\"ghost\"}|upstream",
        "/api/v1/routes|{\"name\":\"r\",\"match\":{},\"upstream\":\"mock\"}|match",
        "/api/v1/routes|{\"name\":\"r\",\"match\":{\"pathRegex\":\"(\"},\"upstream\":\"mock\"}|match.pathRegex",
        "/api/v1/routes|{\"name\":\"r\",\"match\":{\"path\":\"/r\"},\"upstream\":\"mock\",\"retries\":{\"perTryTimeout\":\"5s\"}}|retries.perTryTimeout",
        "/api/v1/routes|{\"name\":\"r\",\"match\":{\"path\":\"/r\"},\"upstream\":\"mock\",\"extra\":1}|extra",
        "/api/v1/routes|{\"name\":\"r\",\"match\":{\"path\":\"/r\"}}|upstream",
        "/api/v1/upstreams|{\"name\":\"u\",\"url\":\"ftp://x\"}|url",
        "/api/v1/upstreams|{\"name\":\"u\"}|''",
        "/api/v1/upstreams|{\"name\":\"tollgate_u\",\"url\":\"http://x\"}|name",
        "/api/v1/upstreams|{\"name\":\"u\",\"url\":\"http://x\",\"timeout\":\"soon\"}|timeout",
        "/api/v1/upstreams|{\"name\":\"u\",\"endpoints\":[\"http://x\",\"http://x\"]}|endpoints[1]",
        "/api/v1/upstreams|{\"name\":\"u\",\"url\":\"http://x\",\"connectTimeout\":5}|connectTimeout",
      })
  void badInputIsAProblemNamingTheFieldAndStoresNothing(String path, String body, String field)
      throws Exception {
    create(path, body)
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
        .andExpect(jsonPath("$.field").value(field));
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM routing_entry", Long.class)).isZero();
  }

  private ResultActions create(String path, String body) throws Exception {
    return mvc.perform(post(path).contentType(MediaType.APPLICATION_JSON).content(body));
  }

  private String served() {
    return EnvoyResourcesJson.print(snapshots.current().orElseThrow().resources());
  }
}
