package io.tollgate.controlplane.admin;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.options;
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

/** Beyond loopback with a token, a service name allowed and one admin origin allowed CORS. */
@SpringBootTest(
    properties = {
      "server.address=0.0.0.0",
      "tollgate.admin.token=s3cret-token",
      "tollgate.admin.allowed-hosts=control-plane:8081",
      "tollgate.admin.cors-origins=https://admin.example",
      "tollgate.xds.port=0",
      "tollgate.config=src/test/resources/golden/http-mock.in.yaml",
      "spring.datasource.url=jdbc:h2:mem:cors-origins;DB_CLOSE_DELAY=-1"
    })
@AutoConfigureMockMvc
class CorsOriginsTest {

  private static final String TOKEN = "Bearer s3cret-token";

  @Autowired MockMvc mvc;

  @Test
  void theConfiguredOriginGetsPreflightsAndCorsHeaders() throws Exception {
    mvc.perform(
            options("/api/v1/limits")
                .header("Host", "control-plane:8081")
                .header("Origin", "https://admin.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type"))
        .andExpect(status().isOk())
        .andExpect(header().string("Access-Control-Allow-Origin", "https://admin.example"))
        .andExpect(header().string("Access-Control-Allow-Methods", "GET,POST,PUT,DELETE"));
    mvc.perform(
            post("/api/v1/limits")
                .header("Host", "control-plane:8081")
                .header("Origin", "https://admin.example")
                .header("Authorization", TOKEN)
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\":\"cors\",\"limit\":{\"requests\":1,\"per\":\"second\"}}"))
        .andExpect(status().isCreated())
        .andExpect(header().string("Access-Control-Allow-Origin", "https://admin.example"))
        .andExpect(header().exists("Access-Control-Expose-Headers"));
  }

  @Test
  void otherOriginsAndHostsAreStillRefused() throws Exception {
    mvc.perform(
            options("/api/v1/limits")
                .header("Host", "control-plane:8081")
                .header("Origin", "https://other.example")
                .header("Access-Control-Request-Method", "POST"))
        .andExpect(status().isForbidden())
        .andExpect(header().doesNotExist("Access-Control-Allow-Origin"));
    mvc.perform(
            get("/api/v1/limits")
                .header("Host", "control-plane:8081")
                .header("Authorization", TOKEN))
        .andExpect(status().isOk());
    mvc.perform(
            get("/api/v1/limits").header("Host", "control-plane").header("Authorization", TOKEN))
        .andExpect(status().isForbidden())
        .andExpect(jsonPath("$.field").value("Host"));
  }
}
