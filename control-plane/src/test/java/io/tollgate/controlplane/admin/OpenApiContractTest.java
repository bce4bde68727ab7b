package io.tollgate.controlplane.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.networknt.schema.Error;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.tollgate.controlplane.limits.store.LimitRuleTables;
import io.tollgate.controlplane.stats.AccessRecord;
import io.tollgate.controlplane.stats.StatsIngest;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Answers the API gives, checked against the schemas {@code /v3/api-docs} documents for them (what
 * schemathesis checks in {@code scripts/api-contract.sh}, here for the answers it cannot provoke
 * without an Envoy: blocked calls, filtered series). Same context as {@code LimitRulesApiTest}.
 */
@SpringBootTest(
    properties = {
      "spring.datasource.url=jdbc:h2:mem:limits-api;DB_CLOSE_DELAY=-1",
      "tollgate.xds.port=0",
      "tollgate.config=src/test/resources/golden/http-mock.in.yaml"
    })
@AutoConfigureMockMvc
class OpenApiContractTest {

  @Autowired MockMvc mvc;
  @Autowired JdbcTemplate jdbc;
  @Autowired StatsIngest ingest;

  @BeforeEach
  void empty() {
    LimitRuleTables.empty(jdbc);
  }

  @Test
  void aFilteredSeriesHasNoLatencyAndTheSchemaSaysSo() throws Exception {
    // Blocked by a rule the rate-limit service did not report the limit of.
    ingest.accept(
        new AccessRecord(
            429,
            "GET",
            "/contract",
            "10.0.0.1",
            "mock",
            true,
            "per-ip",
            null,
            1_000,
            "req-1",
            System.currentTimeMillis(),
            List.of(),
            List.of(),
            false,
            null,
            1));
    JsonNode series = json("/api/v1/stats/timeseries?path=/contract");
    assertThat(series.at("/points/0/latencyMs").isNull()).isTrue();
    assertThat(violations(series, "Series")).isEmpty();
    JsonNode blocked = json("/api/v1/stats/blocked?rule=per-ip");
    assertThat(blocked.at("/0/limit").isNull()).isTrue();
    assertThat(violations(blocked.get(0), "BlockedCall")).isEmpty();
    assertThat(violations(json("/api/v1/stats/timeseries"), "Series")).isEmpty();
    assertThat(violations(json("/api/v1/stats/summary"), "Summary")).isEmpty();
  }

  @Test
  void aRuleTheApiAcceptsIsOneTheSchemaAccepts() throws Exception {
    String rule =
        """
        {"name":"five-methods","match":{"path":"/a","methods":["GET","HEAD","POST","PUT","PATCH"]},
         "limit":{"requests":5,"per":"minute"}}""";
    mvc.perform(post("/api/v1/limits").contentType(MediaType.APPLICATION_JSON).content(rule))
        .andExpect(status().isCreated());
    JsonNode history = json("/api/v1/limits/history");
    assertThat(violations(history.get(0), "RuleHistoryEntry")).isEmpty();
    assertThat(violations(json("/api/v1/limits/five-methods"), "StoredLimitRule")).isEmpty();
  }

  @Test
  void aCursorBeyondALongIsABadCursorNotAServerError() throws Exception {
    mvc.perform(get("/api/v1/limits/history?cursor=9999999999999999999:a"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.field").value("cursor"));
  }

  @Test
  void anEmptyPageSizeIsNoIntegerAsTheSchemaSays() throws Exception {
    for (String path : List.of("/api/v1/limits/history", "/api/v1/limits/a/history")) {
      mvc.perform(get(path + "?limit="))
          .andExpect(status().isBadRequest())
          .andExpect(jsonPath("$.field").value("limit"));
      mvc.perform(get(path + "?limit=x")).andExpect(status().isBadRequest());
      mvc.perform(get(path)).andExpect(status().isOk());
    }
  }

  @Test
  void aBlankOrNonRfc3339TimeIsRefusedAsTheSchemaSays() throws Exception {
    for (String from : List.of("%20", "2026-11-25T10:00Z", "2026-11-25T10:00:00+01")) {
      mvc.perform(get("/api/v1/stats/summary?from=" + from))
          .andExpect(status().isBadRequest())
          .andExpect(jsonPath("$.parameter").value("from"));
    }
    mvc.perform(get("/api/v1/stats/summary?from=2026-11-25t10:00:00.5z&to=2026-11-26T00:00:00Z"))
        .andExpect(status().isOk());
  }

  private JsonNode json(String path) throws Exception {
    return JsonMapper.shared()
        .readTree(
            mvc.perform(get(path))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
  }

  /** What is wrong with {@code value} as an instance of the documented schema {@code name}. */
  private List<Error> violations(JsonNode value, String name) throws Exception {
    ObjectNode document = (ObjectNode) json("/v3/api-docs");
    document.put("$ref", "#/components/schemas/" + name);
    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
        .getSchema(document)
        .validate(value);
  }
}
