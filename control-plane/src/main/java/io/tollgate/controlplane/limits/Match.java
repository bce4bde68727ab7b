package io.tollgate.controlplane.limits;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which requests a rule applies to. All given conditions must hold. At most one of {@code path},
 * {@code pathPrefix}, {@code pathRegex}; none means every path. Paths are compared without their
 * query string, as Envoy's route matching does.
 *
 * @param path exact path
 * @param pathPrefix path prefix
 * @param pathRegex RE2 regular expression the whole path must match
 * @param methods the request must use one of these methods (none = any)
 * @param headers header name to required value; {@code "*"} only requires the header be present
 * @param sourceCidrs the client address must be in one of these ranges (none = any)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Match(
    String path,
    String pathPrefix,
    String pathRegex,
    List<String> methods,
    Map<String, String> headers,
    List<String> sourceCidrs) {

  /** Matches every request. */
  public static final Match ALL = new Match(null, null, null, null, null, null);

  /** The header value that only requires presence. */
  public static final String ANY_VALUE = "*";

  public Match {
    // Unmodifiable copies that still admit nulls, so the validator can name a null element.
    methods = methods == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(methods));
    headers =
        headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    sourceCidrs =
        sourceCidrs == null
            ? List.of()
            : Collections.unmodifiableList(new ArrayList<>(sourceCidrs));
  }
}
