package io.tollgate.controlplane.stats;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The statistics API: who calls what, how often, how fast, and what was blocked by which rule. */
@RestController
@RequestMapping("/api/v1/stats")
@Tag(name = "statistics", description = "Traffic statistics from Envoy's access log")
class StatsController {

  private static final Duration DEFAULT_RANGE = Duration.ofHours(1);
  private static final int MAX_POINTS = 10_000;
  private static final String TIME_DOC =
      "RFC 3339 date-time, e.g. 2026-11-25T10:00:00Z; rounded down to the minute (hour for old"
          + " ranges)";
  // RFC 3339's date-time (the OpenAPI description gives the same pattern; empty: absent).
  static final String TIME_PATTERN =
      "^$|^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?"
          + "([Zz]|[+-][0-9]{2}:[0-9]{2})$";
  private static final Pattern TIME = Pattern.compile(TIME_PATTERN);
  // What Guava's InetAddresses may read, as a pattern (it checks the rest); empty: absent.
  private static final String IP_PATTERN =
      "^$|^([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(%.+)?)$";

  private final StatsQueries queries;
  private final BlockedCalls blocked;
  private final RuleActivity activity;
  private final Clock clock = Clock.systemUTC();

  StatsController(StatsQueries queries, BlockedCalls blocked, RuleActivity activity) {
    this.queries = queries;
    this.blocked = blocked;
    this.activity = activity;
  }

  @GetMapping("/summary")
  @Operation(
      summary = "Totals over a range",
      description =
          "Requests, rate-limited requests, counts per status code and latency percentiles"
              + " (ms). Includes the current, not yet stored minute.")
  StatsQueries.Summary summary(
      @Parameter(
              description = TIME_DOC + "; default: an hour before `to`",
              schema = @Schema(pattern = TIME_PATTERN))
          @RequestParam(required = false)
          String from,
      @Parameter(
              description = TIME_DOC + "; default: now",
              schema = @Schema(pattern = TIME_PATTERN))
          @RequestParam(required = false)
          String to) {
    Range r = range(from, to);
    return queries.summary(r.from(), r.to());
  }

  // An empty free-text parameter (?to=, ?ip=) is an absent one; typed ones (step, limit) refuse it.
  // Only empty: a blank one is a value, refused where it cannot be one.
  @GetMapping("/top")
  @Operation(
      summary = "Keys with the most requests",
      description =
          "The IPs, paths, or blocking rules (also status, method, upstream) with the most"
              + " requests; keys outside the stored top-K of a minute count as \"(other)\","
              + " which is not listed.")
  List<KeyCount> top(
      @Parameter(
              description =
                  "ip | path | rule | shadow_rule | rule_hit | status | method | upstream | cache",
              required = true,
              schema =
                  @Schema(
                      allowableValues = {
                        "ip",
                        "path",
                        "rule",
                        "shadow_rule",
                        "rule_hit",
                        "status",
                        "method",
                        "upstream",
                        "cache"
                      }))
          @RequestParam(required = false)
          String by,
      @Parameter(
              description = "1 to 1000, default 10",
              schema = @Schema(type = "integer", minimum = "1", maximum = "1000"))
          @RequestParam(required = false)
          String limit,
      @Parameter(description = TIME_DOC, schema = @Schema(pattern = TIME_PATTERN))
          @RequestParam(required = false)
          String from,
      @Parameter(description = TIME_DOC, schema = @Schema(pattern = TIME_PATTERN))
          @RequestParam(required = false)
          String to) {
    by = emptyToNull(by);
    if (by == null) {
      throw new StatsParameterException("by", "by is required: one of " + dimensions());
    }
    Dimension dimension =
        Dimension.fromKey(by)
            .orElseThrow(
                () -> new StatsParameterException("by", "by must be one of " + dimensions()));
    Range r = range(from, to);
    return queries.top(dimension, integer("limit", limit, 10, 1, 1000), r.from(), r.to());
  }

  @GetMapping("/timeseries")
  @Operation(
      summary = "Requests per minute or hour",
      description =
          "Zero-filled steps with requests, rate-limited requests and (unfiltered) latency"
              + " percentiles; optionally for one path, one IP or one blocking rule (its"
              + " requests are the calls it blocked).")
  StatsQueries.Series timeseries(
      @Parameter(
              description = "1m (default) | 1h",
              schema = @Schema(allowableValues = {"1m", "1h"}))
          @RequestParam(required = false)
          String step,
      @Parameter(description = TIME_DOC, schema = @Schema(pattern = TIME_PATTERN))
          @RequestParam(required = false)
          String from,
      @Parameter(description = TIME_DOC, schema = @Schema(pattern = TIME_PATTERN))
          @RequestParam(required = false)
          String to,
      @Parameter(description = "only this path (no query string)") @RequestParam(required = false)
          String path,
      @Parameter(description = "only this client IP") @RequestParam(required = false) String ip,
      @Parameter(description = "only the calls this rule blocked") @RequestParam(required = false)
          String rule) {
    int seconds;
    if (step == null || step.equals("1m")) {
      seconds = StatsStore.MINUTE;
    } else if (step.equals("1h")) {
      seconds = StatsStore.HOUR;
    } else {
      throw new StatsParameterException("step", "step must be 1m or 1h");
    }
    StatsQueries.Filter filter = filter(emptyToNull(path), emptyToNull(ip), emptyToNull(rule));
    Range r = range(from, to);
    long points = Duration.between(r.from(), r.to()).toSeconds() / seconds;
    if (points > MAX_POINTS) {
      throw new StatsParameterException(
          "from", "the range holds " + points + " steps; at most " + MAX_POINTS);
    }
    return queries.timeseries(seconds, r.from(), r.to(), filter);
  }

  private static StatsQueries.Filter filter(String path, String ip, String rule) {
    int given = (path != null ? 1 : 0) + (ip != null ? 1 : 0) + (rule != null ? 1 : 0);
    if (given > 1) {
      throw new StatsParameterException(
          rule != null ? "rule" : "ip", "give at most one of path, ip and rule");
    }
    if (path != null) {
      return new StatsQueries.Filter(Dimension.PATH, path);
    }
    if (ip != null) {
      return new StatsQueries.Filter(Dimension.IP, ip);
    }
    return rule != null ? new StatsQueries.Filter(Dimension.RULE, rule) : StatsQueries.Filter.NONE;
  }

  @GetMapping("/blocked")
  @Operation(
      summary = "Why was this call limited? Recent blocked calls",
      description =
          "The latest blocked calls (at most the last 10,000 kept), newest first: time, request"
              + " id, client IP, method, path, rule and limit. Look one call up by the"
              + " `x-request-id` Envoy returned to its client, or a client's calls by its IP.")
  List<BlockedCall> blocked(
      @Parameter(
              description =
                  "only the call with this x-request-id: 1 to "
                      + BlockedCallQuery.MAX_REQUEST_ID
                      + " printable ASCII characters, no spaces",
              schema = @Schema(pattern = "^$|^[!-~]{1," + BlockedCallQuery.MAX_REQUEST_ID + "}$"))
          @RequestParam(required = false)
          String requestId,
      @Parameter(
              description = "only calls from this client IP (an IPv4 or IPv6 literal)",
              schema = @Schema(pattern = IP_PATTERN))
          @RequestParam(required = false)
          String clientIp,
      @Parameter(
              description = "deprecated name of clientIp",
              deprecated = true,
              schema = @Schema(pattern = IP_PATTERN))
          @RequestParam(required = false)
          String ip,
      @Parameter(description = "only calls blocked by this rule") @RequestParam(required = false)
          String rule,
      @Parameter(
              description = "1 to 10000, default 100",
              schema = @Schema(type = "integer", minimum = "1", maximum = "10000"))
          @RequestParam(required = false)
          String limit) {
    int n = integer("limit", limit, 100, 1, 10_000);
    requestId = emptyToNull(requestId);
    clientIp = emptyToNull(clientIp);
    ip = emptyToNull(ip);
    rule = emptyToNull(rule);
    if (clientIp != null && ip != null) {
      throw new StatsParameterException("ip", "give clientIp only (ip is its old name)");
    }
    BlockedCallQuery query =
        BlockedCallQuery.of(requestId, clientIp != null ? clientIp : ip, clientIp != null, rule);
    return blocked.recent(query::matches, n);
  }

  @GetMapping("/rules")
  @Operation(
      summary = "Per rule: hits, calls blocked and shadow hits, last minute and last hour",
      description =
          "From the access log: `hits` counts the calls the rule counted (under or over its"
              + " limit, from the rate-limit service's `countedRules`), `blocked` the rule's 429s,"
              + " `shadow` the calls over a shadow-mode rule's limit that passed. Rules with none"
              + " of these in the last hour are not listed. The last minute is the current and the"
              + " previous whole minute.")
  List<RuleActivity.Activity> rules() {
    return activity.recent();
  }

  @ExceptionHandler(StatsParameterException.class)
  ProblemDetail badParameter(StatsParameterException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    p.setTitle("Invalid parameter: " + e.parameter());
    p.setProperty("parameter", e.parameter());
    return p;
  }

  private record Range(Instant from, Instant to) {}

  private Range range(String from, String to) {
    to = emptyToNull(to);
    from = emptyToNull(from);
    Instant end = to == null ? clock.instant() : instant("to", to);
    Instant start = from == null ? end.minus(DEFAULT_RANGE) : instant("from", from);
    if (!start.isBefore(end)) {
      throw new StatsParameterException("from", "from must be before to");
    }
    return new Range(start, end);
  }

  private static Instant instant(String name, String value) {
    try {
      if (TIME.matcher(value).matches()) {
        return OffsetDateTime.parse(value).toInstant();
      }
    } catch (DateTimeException e) {
      // answered below
    }
    throw new StatsParameterException(
        name, name + " must be an RFC 3339 date-time, e.g. 2026-11-25T10:00:00Z");
  }

  private static int integer(String name, String value, int fallback, int min, int max) {
    if (value == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new StatsParameterException(
        name, name + " must be an integer from " + min + " to " + max);
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String dimensions() {
    return Arrays.stream(Dimension.values()).map(Dimension::key).collect(Collectors.joining(", "));
  }
}
