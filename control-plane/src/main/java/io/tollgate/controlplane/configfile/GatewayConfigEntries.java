package io.tollgate.controlplane.configfile;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.tollgate.controlplane.limits.InvalidRuleException;
import io.tollgate.controlplane.limits.RuleViolation;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One element of {@code upstreams:} or {@code routes:} outside the file (the REST API's entries),
 * checked exactly as the file's are: the same schema fragment ({@link GatewayConfigSchema}), the
 * same binding and the same meaning checks ({@link GatewayConfigValidator}), each violation named
 * relative to the element ({@code match.pathPrefix}).
 */
public final class GatewayConfigEntries {

  /**
   * An element that passed every check: its model and its canonical JSON (absent keys left out).
   */
  public record Entry<T>(T spec, String name, String json) {}

  private final GatewayConfigSchema schema = new GatewayConfigSchema();
  private final JsonMapper mapper =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  // Absent keys stay absent: the stored element reads as the file's would.
  private final JsonMapper canonical =
      JsonMapper.builder()
          .changeDefaultPropertyInclusion(i -> i.withValueInclusion(JsonInclude.Include.NON_NULL))
          .build();

  /**
   * @throws InvalidRuleException naming every field at fault
   */
  public Entry<UpstreamSpec> upstream(JsonNode element) {
    GatewayConfigFile.Upstream upstream =
        bind("upstreams", element, GatewayConfigFile.Upstream.class);
    fail(GatewayConfigValidator.upstream(upstream));
    return new Entry<>(GatewayConfigFile.upstream(upstream), upstream.name(), canonical(upstream));
  }

  /**
   * @param context the config the route joins: its upstreams, and the retry budgets of its other
   *     routes
   * @throws InvalidRuleException naming every field at fault ({@code upstream} for an unknown one)
   */
  public Entry<RouteSpec> route(JsonNode element, GatewayConfig context) {
    GatewayConfigFile.Route route = bind("routes", element, GatewayConfigFile.Route.class);
    fail(GatewayConfigValidator.route(route, context));
    return new Entry<>(GatewayConfigFile.route(route), route.name(), canonical(route));
  }

  /** An upstream this class accepted before (stored): bound and converted, not checked again. */
  public Entry<UpstreamSpec> storedUpstream(String json) {
    GatewayConfigFile.Upstream upstream = mapper.readValue(json, GatewayConfigFile.Upstream.class);
    return new Entry<>(GatewayConfigFile.upstream(upstream), upstream.name(), json);
  }

  /** A route this class accepted before (stored): bound and converted, not checked again. */
  public Entry<RouteSpec> storedRoute(String json) {
    GatewayConfigFile.Route route = mapper.readValue(json, GatewayConfigFile.Route.class);
    return new Entry<>(GatewayConfigFile.route(route), route.name(), json);
  }

  private <T> T bind(String key, JsonNode element, Class<T> type) {
    fail(schema.entry(key, element));
    try {
      return mapper.treeToValue(element, type);
    } catch (JacksonException e) {
      // The schema admits only what binds; this names the element should the two ever disagree.
      throw new InvalidRuleException("", e.getOriginalMessage());
    }
  }

  private String canonical(Object element) {
    return canonical.writeValueAsString(element);
  }

  private static void fail(List<RuleViolation> violations) {
    if (!violations.isEmpty()) {
      throw new InvalidRuleException(violations);
    }
  }
}
