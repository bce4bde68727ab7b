package io.tollgate.controlplane.xds.translate;

import com.google.protobuf.Any;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ExtensionFilter;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ResponseMapper;
import io.tollgate.controlplane.access.AccessAction;
import io.tollgate.controlplane.access.AccessRule;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON body of a 403 from the allow and deny lists, naming the entry. The RBAC filter writes
 * its dynamic metadata only after its local reply is formatted, so the reply cannot read the entry
 * from there; the response code details ({@code rbac_access_denied_matched_policy[<entry>]}) are
 * set first, so each deny entry gets a mapper selecting its own details (a CEL filter) whose body
 * names it, and one more mapper answers an allow-list miss ({@code [none]}). Only Envoy's own
 * replies are mapped, never an upstream's 403.
 */
final class AccessLocalReplyFactory {

  static final String CEL_FILTER = "envoy.access_loggers.extension_filters.cel";
  static final String DETAILS_PREFIX = "rbac_access_denied_matched_policy[";

  /** Marks the reply as the access lists', for clients and logs. */
  static final String HEADER = "x-tollgate-access";

  /**
   * @param rules the enabled entries, sorted by name
   */
  List<ResponseMapper> create(List<AccessRule> rules) {
    List<ResponseMapper> mappers = new ArrayList<>();
    rules.stream()
        .filter(r -> r.action() == AccessAction.DENY)
        .forEach(
            r ->
                mappers.add(
                    mapper(r.name(), string(r.name()), "denied by access entry " + r.name())));
    if (rules.stream().anyMatch(r -> r.action() == AccessAction.ALLOW)) {
      mappers.add(
          mapper(
              "none",
              Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build(),
              "no allow entry matches this request"));
    }
    return mappers;
  }

  private static ResponseMapper mapper(String policy, Value entry, String message) {
    Struct body =
        Struct.newBuilder()
            .putFields("error", string("access_denied"))
            .putFields("entry", entry)
            .putFields("message", string(message))
            .build();
    ExpressionFilter details =
        ExpressionFilter.newBuilder()
            .setExpression("response.code_details == '" + DETAILS_PREFIX + policy + "]'")
            .build();
    return ResponseMapper.newBuilder()
        .setFilter(
            AccessLogFilter.newBuilder()
                .setExtensionFilter(
                    ExtensionFilter.newBuilder()
                        .setName(CEL_FILTER)
                        .setTypedConfig(Any.pack(details))))
        .addHeadersToAdd(
            HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey(HEADER).setValue("denied")))
        .setBodyFormatOverride(
            SubstitutionFormatString.newBuilder()
                .setJsonFormat(body)
                .setContentType("application/json"))
        .build();
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
