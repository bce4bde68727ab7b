package io.tollgate.controlplane.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A call the access lists refused lands in the blocked-call ring, named by its entry. */
class StatsIngestAccessTest {

  @Test
  void anAccessDenialIsABlockedCallNamingTheEntry() {
    BlockedCalls blocked = new BlockedCalls(8);
    StatsIngest ingest =
        new StatsIngest(new LiveStats(LiveStatsTest.settings(60), () -> 0), blocked);

    ingest.accept(record(403, "scrapers"));
    ingest.accept(record(200, null));

    List<BlockedCall> calls = blocked.recent(c -> true, 10);
    assertThat(calls).hasSize(1);
    assertThat(calls.get(0).rule()).isEqualTo("scrapers");
    assertThat(calls.get(0).blockedBy()).isEqualTo(BlockedCall.ACCESS);
    assertThat(calls.get(0).limit()).isNull();
    assertThat(calls.get(0).clientIp()).isEqualTo("192.0.2.7");
  }

  private static AccessRecord record(int status, String access) {
    return new AccessRecord(
        status,
        "GET",
        "/admin",
        "192.0.2.7",
        "-",
        false,
        null,
        null,
        100,
        "req-1",
        1_000,
        List.of(),
        List.of(),
        false,
        access,
        1);
  }
}
