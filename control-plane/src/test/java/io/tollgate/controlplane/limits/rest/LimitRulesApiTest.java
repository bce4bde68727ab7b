package io.tollgate.controlplane.limits.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.options;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.tollgate.controlplane.limits.store.LimitRuleTables;
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
    LimitRuleTables.empty(jdbc);
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
        mvc.perform(
                put("/api/v1/limits/per-ip")
                    .header("If-Match", etag)
                    .contentType(MediaType.APPLICATION_JSON)
                    .content(changed))
            .andExpect(status().isOk())
            .andExpect(jsonPath("$.limit.requests").value(7))
            .andReturn()
            .getResponse()
            .getHeader("ETag");
    assertThat(etag2).isNotEqualTo(etag);

    // The first ETag is stale now: the second operator's edit must not win silently.
    mvc.perform(json(put("/api/v1/limits/per-ip").header("If-Match", etag)).content(PER_IP))
        .andExpect(status().isPreconditionFailed());

    mvc.perform(delete("/api/v1/limits/per-ip").header("If-Match", etag2))
        .andExpect(status().isNoContent());
    mvc.perform(get("/api/v1/limits/per-ip")).andExpect(status().isNotFound());
  }

  @Test
  void aFixedSubPathIsNoRuleName() throws Exception {
    mvc.perform(options("/api/v1/limits/export"))
        .andExpect(header().string("Allow", org.hamcrest.Matchers.not(containsString("PUT"))));
    mvc.perform(json(put("/api/v1/limits/export")).header("If-Match", "*").content(PER_IP))
        .andExpect(status().isMethodNotAllowed());
  }

  @Test
  void historyPagesAreBoundedAsTheOtherResourcesAre() throws Exception {
    create(PER_IP);
    new ManagedResourceApi(mvc, "/api/v1/limits").historyPagesAreBounded("per-ip");
  }

  @Test
  void historySaysWhoWhenBeforeAfterAndRestoreBringsARuleBack() throws Exception {
    mvc.perform(json(post("/api/v1/limits")).content(PER_IP)).andExpect(status().isCreated());
    mvc.perform(
            json(put("/api/v1/limits/per-ip"))
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
    mvc.perform(
            post("/api/v1/limits/per-ip/restore")
                .param("revision", "" + firstRevision)
                .header("If-None-Match", "*"))
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
        mvc.perform(json(post("/api/v1/limits")).content(PER_IP))
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
                "malformed JSON",
                json(post("/api/v1/limits")).content("{\"name\": \"x\","),
                400,
                ""),
            new Case(
                "unknown field",
                json(post("/api/v1/limits"))
                    .content(PER_IP.replace("}}", "},\"owner\":1}").replace("per-ip", "x1")),
                400,
                "owner"),
            new Case(
                "bad regex",
                json(post("/api/v1/limits"))
                    .content(
                        "{\"name\":\"x2\",\"match\":{\"pathRegex\":\"/a/(b\"},\"limit\":{\"requests\":1,\"per\":\"second\"}}"),
                400,
                "match.pathRegex"),
            new Case(
                "bad CIDR",
                json(post("/api/v1/limits"))
                    .content(
                        "{\"name\":\"x3\",\"match\":{\"sourceCidrs\":[\"10.0.0.0/40\"]},\"limit\":{\"requests\":1,\"per\":\"second\"}}"),
                400,
                "match.sourceCidrs[0]"),
            new Case(
                "negative number",
                json(post("/api/v1/limits"))
                    .content("{\"name\":\"x4\",\"limit\":{\"requests\":-5,\"per\":\"second\"}}"),
                400,
                "limit.requests"),
            new Case(
                "huge number",
                json(post("/api/v1/limits"))
                    .content(
                        "{\"name\":\"x5\",\"limit\":{\"requests\":10000000000000,\"per\":\"second\"}}"),
                400,
                "limit.requests"),
            new Case(
                "unknown unit",
                json(post("/api/v1/limits"))
                    .content("{\"name\":\"x6\",\"limit\":{\"requests\":1,\"per\":\"fortnight\"}}"),
                400,
                "limit.per"),
            new Case("oversized body", json(post("/api/v1/limits")).content(huge), 413, ""),
            new Case(
                "wrong If-Match",
                json(put("/api/v1/limits/per-ip"))
                    .header("If-Match", "\"12345\"")
                    .content(PER_IP.replace("5", "6")),
                412,
                "If-Match"),
            new Case(
                "weak If-Match",
                json(put("/api/v1/limits/per-ip"))
                    .header("If-Match", "W/" + etag)
                    .content(PER_IP.replace("5", "6")),
                412,
                "If-Match"),
            new Case(
                "missing If-Match",
                json(put("/api/v1/limits/per-ip")).content(PER_IP.replace("5", "6")),
                428,
                "If-Match"),
            new Case(
                "delete, wrong If-Match",
                delete("/api/v1/limits/per-ip").header("If-Match", "\"0\""),
                412,
                "If-Match"),
            new Case(
                "rename through PUT",
                json(put("/api/v1/limits/per-ip"))
                    .header("If-Match", etag)
                    .content(PER_IP.replace("per-ip", "other")),
                400,
                "name"),
            new Case(
                "CSRF: a text/plain body, as a web page sends without a preflight",
                post("/api/v1/limits")
                    .contentType(MediaType.TEXT_PLAIN)
                    .content(PER_IP.replace("per-ip", "csrf")),
                415,
                "Content-Type"),
            new Case(
                "a form body (curl -d's default)",
                post("/api/v1/limits")
                    .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                    .content(PER_IP.replace("per-ip", "form")),
                415,
                "Content-Type"),
            new Case(
                "a multipart body",
                post("/api/v1/limits")
                    .contentType(MediaType.MULTIPART_FORM_DATA)
                    .content(PER_IP.replace("per-ip", "multi")),
                415,
                "Content-Type"),
            new Case(
                "no Content-Type",
                post("/api/v1/limits").content(PER_IP.replace("per-ip", "bare")),
                415,
                "Content-Type"),
            new Case(
                "PUT as text/plain",
                put("/api/v1/limits/per-ip")
                    .header("If-Match", etag)
                    .contentType(MediaType.TEXT_PLAIN)
                    .content(PER_IP.replace("5", "6")),
                415,
                "Content-Type"),
            new Case(
                "import as text/plain",
                post("/api/v1/limits/import")
                    .contentType(MediaType.TEXT_PLAIN)
                    .content("domain: tollgate\ndescriptors: []\n"),
                415,
                "Content-Type"),
            new Case(
                "history limit 0", get("/api/v1/limits/history").param("limit", "0"), 400, "limit"),
            new Case(
                "history limit 1001",
                get("/api/v1/limits/per-ip/history").param("limit", "1001"),
                400,
                "limit"),
            new Case(
                "history limit not a number",
                get("/api/v1/limits/history").param("limit", "ten"),
                400,
                "limit"),
            new Case(
                "history cursor not ours",
                get("/api/v1/limits/history").param("cursor", "x';--"),
                400,
                "cursor"),
            new Case(
                "import, bad unit",
                yaml(post("/api/v1/limits/import"))
                    .content(
                        "domain: tollgate\ndescriptors:\n  - key: rule\n    value: y1\n    rate_limit: {unit: week, requests_per_unit: 1}\n"),
                400,
                "descriptors[0].rate_limit.unit"),
            new Case(
                "import, one bad rule of two",
                yaml(post("/api/v1/limits/import"))
                    .content(
                        "domain: tollgate\ndescriptors:\n  - key: rule\n    value: ok\n    rate_limit: {unit: second, requests_per_unit: 1}\n  - key: rule\n    value: Bad_Name\n    rate_limit: {unit: second, requests_per_unit: 1}\n"),
                400,
                "descriptors[1].name"));

    for (Case c : cases) {
      mvc.perform(c.request())
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

  /**
   * {@code accuracy}: exact by default; approximate is stored (definition and column), shown, kept
   * by history and restore, exported as the {@code accuracy} descriptor and imported back.
   */
  @Test
  void accuracyIsReadWrittenKeptByHistoryAndCarriedByExportAndImport() throws Exception {
    mvc.perform(json(post("/api/v1/limits")).content(PER_IP))
        .andExpect(status().isCreated())
        .andExpect(jsonPath("$.accuracy").value("exact"));
    String approximate = PER_IP.replace("\"by\"", "\"accuracy\":\"approximate\",\"by\"");
    mvc.perform(json(put("/api/v1/limits/per-ip")).header("If-Match", "*").content(approximate))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.accuracy").value("approximate"));
    assertThat(jdbc.queryForObject("SELECT accuracy FROM limit_rule", String.class))
        .isEqualTo("approximate");
    mvc.perform(get("/api/v1/limits/per-ip/history"))
        .andExpect(jsonPath("$[0].before.accuracy").value("exact"))
        .andExpect(jsonPath("$[0].after.accuracy").value("approximate"));

    String exported =
        mvc.perform(get("/api/v1/limits/export"))
            .andExpect(status().isOk())
            .andReturn()
            .getResponse()
            .getContentAsString();
    assertThat(exported).contains("key: accuracy", "value: approximate");

    mvc.perform(
            post("/api/v1/limits/per-ip/restore")
                .param("revision", "" + firstRevision("per-ip"))
                .header("If-Match", "*"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.accuracy").value("exact"));
    assertThat(jdbc.queryForObject("SELECT accuracy FROM limit_rule", String.class))
        .isEqualTo("exact");

    mvc.perform(delete("/api/v1/limits/per-ip").header("If-Match", "*"))
        .andExpect(status().isNoContent());
    mvc.perform(yaml(post("/api/v1/limits/import")).content(exported)).andExpect(status().isOk());
    mvc.perform(get("/api/v1/limits/per-ip"))
        .andExpect(jsonPath("$.accuracy").value("approximate"));

    mvc.perform(
            json(put("/api/v1/limits/per-ip"))
                .header("If-Match", "*")
                .content(PER_IP.replace("\"by\"", "\"accuracy\":\"roughly\",\"by\"")))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
        .andExpect(jsonPath("$.field").value("accuracy"));
  }

  @Test
  void restoreNeedsAPreconditionAndARevisionOfThisVeryRule() throws Exception {
    String etag = create(PER_IP);
    String other = create(PER_IP.replace("per-ip", "other"));
    long perIpRevision = revision("per-ip");
    long otherRevision = revision("other");
    Map<String, Object> before = stored();

    record Case(String what, MockHttpServletRequestBuilder request, int status, String field) {}
    String restore = "/api/v1/limits/per-ip/restore";
    List<Case> cases =
        List.of(
            new Case("no If-Match", post(restore).param("revision", "" + perIpRevision), 428, ""),
            new Case(
                "stale If-Match",
                post(restore).param("revision", "" + perIpRevision).header("If-Match", "\"1\""),
                412,
                "If-Match"),
            new Case(
                "If-None-Match: * on a live rule",
                post(restore).param("revision", "" + perIpRevision).header("If-None-Match", "*"),
                412,
                "If-None-Match"),
            new Case(
                "revision 0",
                post(restore).param("revision", "0").header("If-Match", etag),
                400,
                ""),
            new Case(
                "negative revision",
                post(restore).param("revision", "-3").header("If-Match", etag),
                400,
                ""),
            new Case(
                "revision not a number",
                post(restore).param("revision", "latest").header("If-Match", etag),
                400,
                ""),
            new Case("no revision", post(restore).header("If-Match", etag), 400, ""),
            new Case(
                "unknown revision",
                post(restore).param("revision", "999999").header("If-Match", etag),
                404,
                ""),
            new Case(
                "another rule's revision",
                post(restore).param("revision", "" + otherRevision).header("If-Match", etag),
                404,
                ""));
    for (Case c : cases) {
      mvc.perform(c.request())
          .andExpect(status().is(c.status()))
          .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
          .andExpect(
              jsonPath("$.field")
                  .value(
                      c.field().isEmpty()
                          ? (c.status() == 428 ? "If-Match" : "revision")
                          : c.field()));
      assertThat(stored()).as("database after: %s", c.what()).isEqualTo(before);
    }

    mvc.perform(post(restore).param("revision", "" + perIpRevision).header("If-Match", etag))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.name").value("per-ip"));
    mvc.perform(delete("/api/v1/limits/other").header("If-Match", other))
        .andExpect(status().isNoContent());
    // Deleted: no ETag can match, so re-creating it says If-None-Match: *.
    mvc.perform(
            post("/api/v1/limits/other/restore")
                .param("revision", "" + otherRevision)
                .header("If-Match", "*"))
        .andExpect(status().isPreconditionFailed())
        .andExpect(jsonPath("$.field").value("If-Match"));
    mvc.perform(post("/api/v1/limits/other/restore").param("revision", "" + otherRevision))
        .andExpect(status().isPreconditionRequired())
        .andExpect(jsonPath("$.field").value("If-None-Match"));
    long deletion = revision("other");
    mvc.perform(
            post("/api/v1/limits/other/restore")
                .param("revision", "" + deletion)
                .header("If-None-Match", "*"))
        .andExpect(status().isNotFound())
        .andExpect(jsonPath("$.field").value("revision"));
    mvc.perform(
            post("/api/v1/limits/other/restore")
                .param("revision", "" + otherRevision)
                .header("If-None-Match", "*"))
        .andExpect(status().isOk());
  }

  private String create(String rule) throws Exception {
    return mvc.perform(json(post("/api/v1/limits")).content(rule))
        .andExpect(status().isCreated())
        .andReturn()
        .getResponse()
        .getHeader("ETag");
  }

  @Test
  void theOpenApiDescriptionDocumentsTheRuleBodyOfCreateAndReplace() throws Exception {
    for (String operation : List.of("['/api/v1/limits'].post", "['/api/v1/limits/{name}'].put")) {
      mvc.perform(get("/v3/api-docs"))
          .andExpect(status().isOk())
          .andExpect(
              jsonPath(
                      "$.paths"
                          + operation
                          + ".requestBody.content['application/json'].schema.$ref")
                  .value(containsString("LimitRule")));
    }
  }

  /** The oldest revision of a rule's history. */
  private long firstRevision(String name) {
    return jdbc.queryForObject(
        "SELECT MIN(rev) FROM limit_rule_aud WHERE name = ?", Long.class, name);
  }

  /** The newest revision of a rule's history. */
  private long revision(String name) {
    return jdbc.queryForObject(
        "SELECT MAX(rev) FROM limit_rule_aud WHERE name = ?", Long.class, name);
  }

  private static MockHttpServletRequestBuilder json(MockHttpServletRequestBuilder request) {
    return request.contentType(MediaType.APPLICATION_JSON);
  }

  private static MockHttpServletRequestBuilder yaml(MockHttpServletRequestBuilder request) {
    return request.contentType("application/yaml");
  }

  /** Every stored row that a refused request could have touched. */
  private Map<String, Object> stored() {
    return Map.of(
        "rules", jdbc.queryForList("SELECT * FROM limit_rule ORDER BY name"),
        "audit", jdbc.queryForList("SELECT * FROM limit_rule_aud ORDER BY rev"),
        "version", jdbc.queryForObject("SELECT version FROM limit_rules_state", Long.class));
  }
}
