package io.tollgate.controlplane.limits.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class VersionPollerTest {

  private final AtomicLong version = new AtomicLong(1);
  private final AtomicBoolean failing = new AtomicBoolean();
  private final List<Long> published = new ArrayList<>();
  private final VersionPoller<Long> poller =
      new VersionPoller<>(
          "test entries",
          version::get,
          version::get,
          v -> v,
          v -> {
            if (failing.get()) {
              throw new IllegalStateException("does not translate");
            }
            published.add(v);
          });

  @Test
  void publishesEachVersionOnce() {
    poller.refresh();
    poller.poll();
    poller.refresh();
    version.set(2);
    poller.poll();
    poller.poll();

    assertThat(published).containsExactly(1L, 2L);
  }

  @Test
  void aFailedPublishIsRetriedByTheNextPoll() {
    failing.set(true);
    poller.refresh();
    poller.poll();
    assertThat(published).isEmpty();

    failing.set(false);
    poller.poll();

    assertThat(published).containsExactly(1L);
  }
}
