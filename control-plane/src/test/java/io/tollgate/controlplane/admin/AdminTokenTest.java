package io.tollgate.controlplane.admin;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

/** With a token configured, /api/** needs it; the rest stays readable; history names "admin". */
@SpringBootTest(
    properties = {
      "tollgate.admin.token=s3cret-token",
      "server.address=0.0.0.0",
      "tollgate.xds.port=0",
      "tollgate.config=src/test/resources/golden/http-mock.in.yaml",
      "spring.datasource.url=jdbc:h2:mem:admin-token;DB_CLOSE_DELAY=-1"
    })
@AutoConfigureMockMvc
class AdminTokenTest {

  @Autowired MockMvc mvc;

  @Test
  void apiNeedsTheBearerToken() throws Exception {
    mvc.perform(get("/api/v1/limits"))
        .andExpect(status().isUnauthorized())
        .andExpect(header().string("WWW-Authenticate", "Bearer realm=\"tollgate\""));
    mvc.perform(get("/api/v1/limits").header("Authorization", "Bearer wrong"))
        .andExpect(status().isUnauthorized());
    mvc.perform(
            post("/api/v1/limits")
                .content("{\"name\":\"t\",\"limit\":{\"requests\":1,\"per\":\"second\"}}"))
        .andExpect(status().isUnauthorized());

    mvc.perform(
            post("/api/v1/limits")
                .header("Authorization", "Bearer s3cret-token")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\":\"t\",\"limit\":{\"requests\":1,\"per\":\"second\"}}"))
        .andExpect(status().isCreated());
    mvc.perform(get("/api/v1/limits/history").header("Authorization", "Bearer s3cret-token"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$[0].actor").value("admin"));
  }

  @Test
  void healthAndOpenApiStayReadable() throws Exception {
    mvc.perform(get("/actuator/health")).andExpect(status().isOk());
    mvc.perform(get("/v3/api-docs"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.paths['/api/v1/limits']").exists());
  }
}
