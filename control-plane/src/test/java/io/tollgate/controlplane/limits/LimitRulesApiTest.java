package io.tollgate.controlplane.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/** The REST API on an in-memory H2 database: happy paths, and every kind of bad input. */
@SpringBootTest(
    properties = {
      "spring.datasource.url=jdbc:h2:mem:limits-api;DB_CLOSE_DELAY=-1",
      "tollgate.xds.port=0",
      "tollgate.config=src/test/resources/golden/http-mock.in.yaml"
    })
@AutoConfigureMockMvc
class LimitRulesApiTest {

  private static final String PER_IP =
      """
      {"name":"per-ip","match":{"pathPrefix":"/categories/"},"by":["ip"],
       "limit":{"requests":5,"per":"minute"}}""";

  @Autowired MockMvc mvc;
  @Autowired JdbcTemplate jdbc;

  @BeforeEach
  void empty() {
    jdbc.update("DELETE FROM limit_rule_aud");
    jdbc.update("DELETE FROM limit_rule_revision");
    jdbc.update("DELETE FROM limit_rule");
  }

  @Test
  void createGetReplaceDeleteWithEtags() throws Exception {
    MvcResult created =
        mvc.perform(post("/api/v1/limits").contentType(MediaType.APPLICATION_JSON).content(PER_IP))
            .andExpect(status().isCreated())
            .andExpect(header().string("Location", "/api/v1/limits/per-ip"))
            .andExpect(jsonPath("$.source").value("rest"))
            .andExpect(jsonPath("$.mode").value("enforce"))
            .andReturn();
    String etag = created.getResponse().getHeader("ETag");
    assertThat(etag).matches("\"\\d+\"");

    mvc.perform(get("/api/v1/limits/per-ip"))
        .andExpect(status().isOk())
        .andExpect(header().string("ETag", etag))
        .andExpect(jsonPath("$.limit.requests").value(5));

    mvc.perform(post("/api/v1/limits").contentType(MediaType.APPLICATION_JSON).content(PER_IP))
        .andExpect(status().isConflict());

    String changed = PER_IP.replace("\"requests\":5", "\"requests\":7");
    String etag2 =
        mvc.perform(put("/api/v1/limits/per-ip").header("If-Match", etag).content(changed))
            .andExpect(status().isOk())
            .andExpect(jsonPath("$.limit.requests").value(7))
            .andReturn()
            .getResponse()
            .getHeader("ETag");
    assertThat(etag2).isNotEqualTo(etag);

    // The first ETag is stale now: the second operator's edit must not win silently.
    mvc.perform(put("/api/v1/limits/per-ip").header("If-Match", etag).content(PER_IP))
        .andExpect(status().isPreconditionFailed());

    mvc.perform(delete("/api/v1/limits/per-ip").header("If-Match", etag2))
        .andExpect(status().isNoContent());
    mvc.perform(get("/api/v1/limits/per-ip")).andExpect(status().isNotFound());
  }

  @Test
  void historySaysWhoWhenBeforeAfterAndRestoreBringsARuleBack() throws Exception {
    mvc.perform(post("/api/v1/limits").content(PER_IP)).andExpect(status().isCreated());
    mvc.perform(
            put("/api/v1/limits/per-ip")
                .header("If-Match", "*")
                .content(PER_IP.replace("\"requests\":5", "\"requests\":9")))
        .andExpect(status().isOk());
    mvc.perform(delete("/api/v1/limits/per-ip").header("If-Match", "*"))
        .andExpect(status().isNoContent());

    mvc.perform(get("/api/v1/limits/history"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.length()").value(3))
        .andExpect(jsonPath("$[0].change").value("deleted"))
        .andExpect(jsonPath("$[0].before.limit.requests").value(9))
        .andExpect(jsonPath("$[0].after").doesNotExist())
        .andExpect(jsonPath("$[1].change").value("updated"))
        .andExpect(jsonPath("$[1].before.limit.requests").value(5))
        .andExpect(jsonPath("$[1].after.limit.requests").value(9))
        .andExpect(jsonPath("$[2].change").value("created"))
        .andExpect(jsonPath("$[2].actor").value("anonymous"));

    long firstRevision = jdbc.queryForObject("SELECT MIN(rev) FROM limit_rule_aud", Long.class);
    mvc.perform(post("/api/v1/limits/per-ip/restore").param("revision", "" + firstRevision))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.limit.requests").value(5));
    mvc.perform(get("/api/v1/limits/per-ip/history"))
        .andExpect(jsonPath("$.length()").value(4))
        .andExpect(jsonPath("$[0].change").value("created"));
  }

  /** Every kind of bad input: the status, a problem naming the field, and nothing stored. */
  @Test
  void badInputIsRefusedNamingTheFieldAndNothingIsStored() throws Exception {
    String etag =
        mvc.perform(post("/api/v1/limits").content(PER_IP))
            .andExpect(status().isCreated())
            .andReturn()
            .getResponse()
            .getHeader("ETag");
    Map<String, Object> before = stored();

    record Case(String what, MockHttpServletRequestBuilder request, int status, String field) {}
    String huge =
        "{\"name\":\"big\",\"limit\":{\"requests\":1,\"per\":\"day\"},\"match\":{\"path\":\"/"
            + "a".repeat(70 * 1024)
            + "\"}}";
    List<Case> cases =
        List.of(
            new Case(
                "malformed JSON", post("/api/v1/limits").content("{\"name\": \"x\","), 400, ""),
            new Case(
                "unknown field",
                post("/api/v1/limits")
                    .content(PER_IP.replace("}}", "},\"owner\":1}").replace("per-ip", "x1")),
                400,
                "owner"),
            new Case(
                "bad regex",
                post("/api/v1/limits")
                    .content(
                        "{\"name\":\"x2\",\"match\":{\"pathRegex\":\"/a/(b\"},\"limit\":{\"requests\":1,\"per\":\"second\"}}"),
                400,
                "match.pathRegex"),
            new Case(
                "bad CIDR",
                post("/api/v1/limits")
                    .content(
                        "{\"name\":\"x3\",\"match\":{\"sourceCidrs\":[\"10.0.0.0/40\"]},\"limit\":{\"requests\":1,\"per\":\"second\"}}"),
                400,
                "match.sourceCidrs[0]"),
            new Case(
                "negative number",
                post("/api/v1/limits")
                    .content("{\"name\":\"x4\",\"limit\":{\"requests\":-5,\"per\":\"second\"}}"),
                400,
                "limit.requests"),
            new Case(
                "huge number",
                post("/api/v1/limits")
                    .content(
                        "{\"name\":\"x5\",\"limit\":{\"requests\":10000000000000,\"per\":\"second\"}}"),
                400,
                "limit.requests"),
            new Case(
                "unknown unit",
                post("/api/v1/limits")
                    .content("{\"name\":\"x6\",\"limit\":{\"requests\":1,\"per\":\"fortnight\"}}"),
                400,
                "limit.per"),
            new Case("oversized body", post("/api/v1/limits").content(huge), 413, ""),
            new Case(
                "wrong If-Match",
                put("/api/v1/limits/per-ip")
                    .header("If-Match", "\"12345\"")
                    .content(PER_IP.replace("5", "6")),
                412,
                "If-Match"),
            new Case(
                "weak If-Match",
                put("/api/v1/limits/per-ip")
                    .header("If-Match", "W/" + etag)
                    .content(PER_IP.replace("5", "6")),
                412,
                "If-Match"),
            new Case(
                "missing If-Match",
                put("/api/v1/limits/per-ip").content(PER_IP.replace("5", "6")),
                428,
                "If-Match"),
            new Case(
                "delete, wrong If-Match",
                delete("/api/v1/limits/per-ip").header("If-Match", "\"0\""),
                412,
                "If-Match"),
            new Case(
                "rename through PUT",
                put("/api/v1/limits/per-ip")
                    .header("If-Match", etag)
                    .content(PER_IP.replace("per-ip", "other")),
                400,
                "name"),
            new Case(
                "import, bad unit",
                post("/api/v1/limits/import")
                    .content(
                        "domain: tollgate\ndescriptors:\n  - key: rule\n    value: y1\n    rate_limit: {unit: week, requests_per_unit: 1}\n"),
                400,
                "descriptors[0].rate_limit.unit"),
            new Case(
                "import, one bad rule of two",
                post("/api/v1/limits/import")
                    .content(
                        "domain: tollgate\ndescriptors:\n  - key: rule\n    value: ok\n    rate_limit: {unit: second, requests_per_unit: 1}\n  - key: rule\n    value: Bad_Name\n    rate_limit: {unit: second, requests_per_unit: 1}\n"),
                400,
                "descriptors[1].name"));

    for (Case c : cases) {
      mvc.perform(c.request().contentType(MediaType.APPLICATION_JSON))
          .andExpect(status().is(c.status()))
          .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
          .andExpect(jsonPath("$.status").value(c.status()))
          .andExpect(jsonPath("$.field").value(c.field()))
          .andExpect(jsonPath("$.detail").isNotEmpty());
      assertThat(stored()).as("database after: %s", c.what()).isEqualTo(before);
    }
  }

  @Test
  void importThenExportIsARoundTrip() throws Exception {
    String yaml =
        """
        domain: tollgate
        descriptors:
          - key: rule
            value: cidr-rule
            descriptors:
              - key: masked_remote_address
                value: 10.0.0.0/8
                descriptors:
                  - key: match_path_prefix
                    value: /categories/
                    descriptors:
                      - key: remote_address
                        rate_limit:
                          name: cidr-rule
                          unit: minute
                          requests_per_unit: 5
              - key: masked_remote_address
                value: 192.168.0.0/16
                descriptors:
                  - key: match_path_prefix
                    value: /categories/
                    descriptors:
                      - key: remote_address
                        rate_limit:
                          name: cidr-rule
                          unit: minute
                          requests_per_unit: 5
          - key: rule
            value: shadowed
            descriptors:
              - key: match_methods
                value: GET,POST
                descriptors:
                  - key: match_header:x-api-key
                    value: '*'
                    descriptors:
                      - key: path
                        descriptors:
                          - key: header:x-api-key
                            rate_limit:
                              name: shadowed
                              unit: second
                              requests_per_unit: 0
                            shadow_mode: true
        """;
    mvc.perform(post("/api/v1/limits/import").contentType("application/yaml").content(yaml))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.imported.length()").value(2));
    mvc.perform(get("/api/v1/limits/cidr-rule"))
        .andExpect(jsonPath("$.match.sourceCidrs.length()").value(2))
        .andExpect(jsonPath("$.by[0]").value("ip"));

    String exported =
        mvc.perform(get("/api/v1/limits/export"))
            .andExpect(status().isOk())
            .andReturn()
            .getResponse()
            .getContentAsString();
    assertThat(new org.yaml.snakeyaml.Yaml().<Object>load(exported))
        .isEqualTo(new org.yaml.snakeyaml.Yaml().load(yaml));
  }

  /** Every stored row that a refused request could have touched. */
  private Map<String, Object> stored() {
    return Map.of(
        "rules", jdbc.queryForList("SELECT * FROM limit_rule ORDER BY name"),
        "audit", jdbc.queryForList("SELECT * FROM limit_rule_aud ORDER BY rev"),
        "version", jdbc.queryForObject("SELECT version FROM limit_rules_state", Long.class));
  }
}
