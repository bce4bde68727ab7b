package io.tollgate.controlplane.access.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.tollgate.controlplane.limits.rest.ManagedResourceApi;
import io.tollgate.controlplane.xds.SnapshotPublisher;
import io.tollgate.controlplane.xds.translate.EnvoyResourcesJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.MockMvc;

/**
 * {@code /api/v1/access-rules} on an in-memory H2 database, with one file-owned entry: ETags,
 * history and restore, validation naming the field, the file's entries read-only, and every change
 * in the served snapshot.
 */
@SpringBootTest(
    properties = {
      "spring.datasource.url=jdbc:h2:mem:access-api;DB_CLOSE_DELAY=-1",
      "tollgate.xds.port=0",
      "tollgate.config=src/test/resources/access/tollgate.yaml"
    })
@AutoConfigureMockMvc
class AccessRulesApiTest {

  private static final String BLOCK_NET =
      """
      {"name":"block-net","action":"deny","match":{"cidrs":["192.0.2.0/24"]}}""";

  @Autowired MockMvc mvc;
  @Autowired JdbcTemplate jdbc;
  @Autowired SnapshotPublisher snapshots;

  @BeforeEach
  void empty() {
    jdbc.update("DELETE FROM access_rule_aud");
    jdbc.update("DELETE FROM access_rule");
  }

  @Test
  void createReplaceDeleteRestoreWithEtagsAndHistory() throws Exception {
    String etag =
        mvc.perform(
                post("/api/v1/access-rules")
                    .contentType(MediaType.APPLICATION_JSON)
                    .content(BLOCK_NET))
            .andExpect(status().isCreated())
            .andExpect(header().string("Location", "/api/v1/access-rules/block-net"))
            .andExpect(jsonPath("$.source").value("rest"))
            .andExpect(jsonPath("$.enabled").value(true))
            .andReturn()
            .getResponse()
            .getHeader("ETag");
    assertThat(served())
        .contains("192.0.2.0")
        .contains("rbac_access_denied_matched_policy[block-net]");

    mvc.perform(
            post("/api/v1/access-rules").contentType(MediaType.APPLICATION_JSON).content(BLOCK_NET))
        .andExpect(status().isConflict());

    String changed = BLOCK_NET.replace("192.0.2.0/24", "198.51.100.0/24");
    String etag2 =
        api()
            .replaceNeedsTheEtag("block-net", etag, changed)
            .andExpect(jsonPath("$.match.cidrs[0]").value("198.51.100.0/24"))
            .andReturn()
            .getResponse()
            .getHeader("ETag");
    assertThat(etag2).isNotEqualTo(etag);
    assertThat(served()).contains("198.51.100.0").doesNotContain("192.0.2.0");

    mvc.perform(delete("/api/v1/access-rules/block-net").header("If-Match", etag))
        .andExpect(status().isPreconditionFailed());
    mvc.perform(delete("/api/v1/access-rules/block-net").header("If-Match", etag2))
        .andExpect(status().isNoContent());
    assertThat(served()).doesNotContain("block-net");

    long created = api().createdUpdatedDeleted("block-net", "match.cidrs[0]", "192.0.2.0/24");
    api()
        .restoreDeleted("block-net", created)
        .andExpect(jsonPath("$.match.cidrs[0]").value("192.0.2.0/24"));
    assertThat(served()).contains("192.0.2.0");
    api().historyPagesAreBounded("block-net");
  }

  @Test
  void theFilesEntriesAreListedAndReadOnly() throws Exception {
    mvc.perform(get("/api/v1/access-rules"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.rules[0].name").value("file-block"))
        .andExpect(jsonPath("$.rules[0].source").value("file"));
    mvc.perform(
            post("/api/v1/access-rules")
                .contentType(MediaType.APPLICATION_JSON)
                .content(BLOCK_NET.replace("block-net", "file-block")))
        .andExpect(status().isConflict())
        .andExpect(jsonPath("$.field").value("name"));
    mvc.perform(delete("/api/v1/access-rules/file-block").header("If-Match", "*"))
        .andExpect(status().isConflict());
    assertThat(served()).contains("rbac_access_denied_matched_policy[file-block]");
  }

  @Test
  void badInputIsAProblemNamingTheFieldAndStoresNothing() throws Exception {
    mvc.perform(
            post("/api/v1/access-rules")
                .contentType(MediaType.APPLICATION_JSON)
                .content(BLOCK_NET.replace("192.0.2.0/24", "192.0.2.1/24")))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
        .andExpect(jsonPath("$.field").value("match.cidrs[0]"));
    mvc.perform(
            post("/api/v1/access-rules")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\":\"x\",\"action\":\"deny\",\"match\":{},\"extra\":1}"))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith("application/problem+json"));
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM access_rule", Long.class)).isZero();
  }

  private ManagedResourceApi api() {
    return new ManagedResourceApi(mvc, "/api/v1/access-rules");
  }

  private String served() {
    return EnvoyResourcesJson.print(snapshots.current().orElseThrow().resources());
  }
}
