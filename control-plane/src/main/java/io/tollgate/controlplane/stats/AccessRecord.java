package io.tollgate.controlplane.stats;

import java.util.List;

/**
 * What the statistics need from one access-log entry, already normalized.
 *
 * @param status HTTP status sent downstream, 0 when none was sent
 * @param method request method, upper case
 * @param path path without query string, at most {@link #MAX_KEY_LENGTH} characters
 * @param clientIp the client's address as Envoy saw it
 * @param upstream the upstream cluster, "-" when the request never reached one
 * @param rateLimited whether the rate-limit filter blocked the request
 * @param rule the rule that blocked it, null when not blocked or unnamed
 * @param limit the limit of that rule as reported (e.g. "10/minute"), null when unknown
 * @param latencyMicros time from the first byte received to the last byte sent downstream
 * @param requestId Envoy's x-request-id
 * @param startMillis when the request started, epoch milliseconds
 * @param shadowRules the rules in shadow mode whose limit this request went over (it passed)
 * @param countedRules the rules that counted this request, under or over their limit (its hits)
 * @param cacheHit whether Envoy's response cache answered (the upstream was not asked)
 * @param access the access entry that refused the request (403), {@code none} when no allow entry
 *     matched it; null when the access lists let it through
 * @param weight how many answers this entry stands for: 1, or N for an answer under 400 that Envoy
 *     logged one in N of ({@code TOLLGATE_ACCESSLOG_SAMPLE_ONE_IN})
 */
public record AccessRecord(
    int status,
    String method,
    String path,
    String clientIp,
    String upstream,
    boolean rateLimited,
    String rule,
    String limit,
    long latencyMicros,
    String requestId,
    long startMillis,
    List<String> shadowRules,
    List<String> countedRules,
    boolean cacheHit,
    String access,
    int weight) {

  /** Keys longer than this are cut, so one key costs a bounded amount of memory and storage. */
  public static final int MAX_KEY_LENGTH = 256;
}
