package io.tollgate.controlplane.accesslog;

import java.util.List;

/** The rate-limit entries of one dynamic-metadata namespace of an access-log entry. */
final class RateLimitFields {
  String rule;
  String limit;
  String unit;
  List<String> shadowRules = List.of();
  List<String> countedRules = List.of();
}
