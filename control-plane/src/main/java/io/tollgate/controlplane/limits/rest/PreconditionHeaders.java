package io.tollgate.controlplane.limits.rest;

import io.tollgate.controlplane.limits.store.IfMatch;
import io.tollgate.controlplane.limits.store.RestorePrecondition;
import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Reads the preconditions of a write from its headers, for every managed resource alike: an {@link
 * IfMatch} parameter from {@code If-Match} (PUT, DELETE), a {@link RestorePrecondition} from {@code
 * If-Match} and {@code If-None-Match} (restore). An absent header is null, as for an optional
 * {@code @RequestHeader}; repeated ones are joined with commas, as Spring joins them. {@link
 * PreconditionDocs} documents them as those headers.
 */
@Configuration
class PreconditionHeaders implements WebMvcConfigurer, HandlerMethodArgumentResolver {

  @Override
  public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
    resolvers.add(this);
  }

  @Override
  public boolean supportsParameter(MethodParameter parameter) {
    return parameter.getParameterType() == IfMatch.class
        || parameter.getParameterType() == RestorePrecondition.class;
  }

  @Override
  public Object resolveArgument(
      MethodParameter parameter,
      ModelAndViewContainer mav,
      NativeWebRequest request,
      WebDataBinderFactory binders) {
    IfMatch ifMatch = new IfMatch(header(request, HttpHeaders.IF_MATCH));
    return parameter.getParameterType() == IfMatch.class
        ? ifMatch
        : new RestorePrecondition(ifMatch, header(request, HttpHeaders.IF_NONE_MATCH));
  }

  private static String header(NativeWebRequest request, String name) {
    String[] values = request.getHeaderValues(name);
    return values == null ? null : String.join(",", values);
  }
}
