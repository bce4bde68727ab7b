package io.tollgate.controlplane.limits.rest;

import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.tollgate.controlplane.limits.store.IfMatch;
import io.tollgate.controlplane.limits.store.RestorePrecondition;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;

/**
 * Documents the parameters {@link PreconditionHeaders} reads as the optional headers they come
 * from, in the order of the handler's parameters ({@code LimitsOpenApi} then says which operations
 * require {@code If-Match}).
 */
@Component
class PreconditionDocs implements OperationCustomizer {

  PreconditionDocs() {
    // Not a query object: springdoc would document their fields as query parameters.
    SpringDocUtils.getConfig()
        .addRequestWrapperToIgnore(IfMatch.class)
        .addRequestWrapperToIgnore(RestorePrecondition.class);
  }

  @Override
  public Operation customize(Operation operation, HandlerMethod handler) {
    for (MethodParameter parameter : handler.getMethodParameters()) {
      Class<?> type = parameter.getParameterType();
      if (type == IfMatch.class || type == RestorePrecondition.class) {
        operation.addParametersItem(header(HttpHeaders.IF_MATCH));
      }
      if (type == RestorePrecondition.class) {
        operation.addParametersItem(header(HttpHeaders.IF_NONE_MATCH));
      }
    }
    return operation;
  }

  private static HeaderParameter header(String name) {
    return (HeaderParameter)
        new HeaderParameter().name(name).required(false).schema(new StringSchema());
  }
}
