package io.tollgate.controlplane.stats;

import java.time.Instant;
import org.springframework.stereotype.Component;

/** Where access-log entries enter the statistics; safe on any number of gRPC threads. */
@Component
public class StatsIngest {

  private final LiveStats live;
  private final BlockedCalls blocked;

  StatsIngest(LiveStats live, BlockedCalls blocked) {
    this.live = live;
    this.blocked = blocked;
  }

  public void accept(AccessRecord r) {
    live.record(r);
    if (r.rateLimited()) {
      blocked.add(
          blockedCall(
              r,
              r.rule() == null ? BucketAggregator.UNNAMED_RULE : r.rule(),
              r.limit(),
              BlockedCall.RATE_LIMIT));
    } else if (r.access() != null) {
      blocked.add(blockedCall(r, r.access(), null, BlockedCall.ACCESS));
    }
  }

  private static BlockedCall blockedCall(
      AccessRecord r, String rule, String limit, String blockedBy) {
    return new BlockedCall(
        Instant.ofEpochMilli(r.startMillis()),
        r.requestId(),
        r.clientIp(),
        r.method(),
        r.path(),
        rule,
        limit,
        blockedBy);
  }
}
