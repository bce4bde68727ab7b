package io.tollgate.controlplane.access;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which requests an access entry matches: every given condition must hold (AND); inside one list,
 * any element (OR), except {@code headers}, which must all hold. At least one condition is
 * required, so no entry matches every request by accident.
 *
 * @param cidrs the client address (the one limits use: after {@code xffNumTrustedHops}) is in one
 *     of these ranges
 * @param paths the path matches one of these
 * @param methods the method is one of these (upper case)
 * @param headers every one of these holds
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record AccessMatch(
    List<String> cidrs, List<AccessPath> paths, List<String> methods, List<AccessHeader> headers) {

  public AccessMatch {
    // Unmodifiable copies that still admit nulls, so the validator can name a null element.
    cidrs = copy(cidrs);
    paths = copy(paths);
    methods = copy(methods);
    headers = copy(headers);
  }

  private static <T> List<T> copy(List<T> list) {
    return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
  }

  /** Whether no condition is given. */
  public boolean noCondition() {
    return cidrs.isEmpty() && paths.isEmpty() && methods.isEmpty() && headers.isEmpty();
  }
}
