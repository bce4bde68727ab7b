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
          new BlockedCall(
              Instant.ofEpochMilli(r.startMillis()),
              r.requestId(),
              r.clientIp(),
              r.method(),
              r.path(),
              r.rule() == null ? BucketAggregator.UNNAMED_RULE : r.rule(),
              r.limit()));
    } else if (r.access() != null) {
      blocked.add(
          new BlockedCall(
              Instant.ofEpochMilli(r.startMillis()),
              r.requestId(),
              r.clientIp(),
              r.method(),
              r.path(),
              r.access(),
              null,
              BlockedCall.ACCESS));
    }
  }
}
