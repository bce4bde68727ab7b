package io.tollgate.e2e;

import static io.tollgate.e2e.LimitsSuite.IP1;
import static io.tollgate.e2e.LimitsSuite.assertForwarded;
import static io.tollgate.e2e.LimitsSuite.assertLimited;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One rule Envoy rejects never blocks the others: the control plane holds the rejected rule out,
 * serves every other rule, and reports Envoy's message on the rule.
 *
 * <p>The validator lets no regex through that Envoy 1.40 rejects with its defaults, so this test
 * lowers this Envoy's {@code re2.max_program_size.error_level} through its runtime admin layer (the
 * bootstrap's {@code admin} layer, as an operator could): a regex the validator accepts is then
 * rejected by Envoy for real, with Envoy's own message.
 */
@ExtendWith(SharedStack.class)
class RejectedRuleQuarantineIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String LIMIT = "re2.max_program_size.error_level";

  /** Envoy's default (source/common/common/regex.cc): what this test gives back. */
  private static final int ENVOY_DEFAULT_LIMIT = 100;

  private final LimitsStack stack;

  RejectedRuleQuarantineIT(LimitsStack stack) {
    this.stack = stack;
  }

  /** The stack is shared: Envoy's runtime back to its default, this test's rules gone. */
  @AfterEach
  void restore() throws Exception {
    envoyRuntime(LIMIT + "=" + ENVOY_DEFAULT_LIMIT);
    for (String rule : List.of("too-big-here", "after-it")) {
      stack.rest("DELETE", "/api/v1/limits/" + rule, null, "*");
    }
  }

  @Test
  void aRejectedRuleIsHeldOutReportedAndTheRulesAfterItAreEnforced() throws Exception {
    envoyRuntime(LIMIT + "=40");
    // about 63 instructions as the gate sends it: under the validator's 100, over this Envoy's 40
    stack.create(
        """
        {"name":"too-big-here","match":{"pathRegex":"/t/big/a{50}"},
         "limit":{"requests":0,"per":"minute"}}""");

    JsonNode status = awaitStatus("too-big-here", false);
    assertThat(status.path("message").asString()).contains("RE2 program size");
    JsonNode listed = JSON.readTree(stack.rest("GET", "/api/v1/limits", null, null).body());
    JsonNode tooBig = null;
    for (JsonNode rule : listed.path("rules")) {
      if (rule.path("name").asString().equals("too-big-here")) {
        tooBig = rule;
      }
    }
    assertThat(tooBig).as("too-big-here listed").isNotNull();
    assertThat(tooBig.path("status").path("accepted").asBoolean(true)).isFalse();

    long good =
        stack.create(
            """
            {"name":"after-it","match":{"pathPrefix":"/t/after/"},
             "limit":{"requests":0,"per":"minute"}}""");
    stack.awaitApplied(good);
    awaitLimited("/t/after/x", "after-it");
    assertForwarded(stack.get(IP1, "/t/big/" + "a".repeat(50)));
    assertThat(awaitStatus("after-it", true).path("accepted").asBoolean()).isTrue();

    // a changed definition is tried again: a small regex is accepted and enforced
    long fixed =
        stack.replace(
            "too-big-here",
            """
            {"name":"too-big-here","match":{"pathRegex":"/t/big/a+"},
             "limit":{"requests":0,"per":"minute"}}""");
    stack.awaitApplied(fixed);
    awaitLimited("/t/big/" + "a".repeat(50), "too-big-here");
    assertThat(awaitStatus("too-big-here", true).path("accepted").asBoolean()).isTrue();
    assertLimited(stack.get(IP1, "/t/after/x"), "after-it");
  }

  /**
   * Envoy acknowledges a route configuration before every worker runs it: on a busy machine the
   * first requests after {@link LimitsStack#awaitApplied} may still meet the previous one.
   */
  private void awaitLimited(String path, String rule) {
    LimitsSuite.timeUntil(() -> stack.get(IP1, path), r -> r.status() == 429);
    assertLimited(stack.get(IP1, path), rule);
  }

  private JsonNode awaitStatus(String rule, boolean accepted) {
    JsonNode[] last = new JsonNode[1];
    stack
        .gateway()
        .controlPlane()
        .process()
        .await(
            "rule " + rule + " to have status.accepted " + accepted,
            Duration.ofSeconds(15),
            () -> {
              HttpResponse<String> r = stack.rest("GET", "/api/v1/limits/" + rule, null, null);
              last[0] = JSON.readTree(r.body()).path("status");
              return r.statusCode() == 200
                  && last[0].path("accepted").asBoolean(!accepted) == accepted;
            });
    return last[0];
  }

  private void envoyRuntime(String assignment) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            stack.gateway().envoy().adminUrl() + "/runtime_modify?" + assignment))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }
}
