package io.tollgate.controlplane.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;

/**
 * The most recent blocked calls in a fixed ring: gRPC threads add without locks, the newest
 * overwrite the oldest, memory stays at {@code capacity} entries.
 */
public final class BlockedCalls {

  private record Slot(long sequence, BlockedCall call) {}

  private final AtomicReferenceArray<Slot> ring;
  private final AtomicLong next = new AtomicLong();

  public BlockedCalls(int capacity) {
    this.ring = new AtomicReferenceArray<>(capacity);
  }

  public void add(BlockedCall call) {
    long sequence = next.getAndIncrement();
    ring.set((int) (sequence % ring.length()), new Slot(sequence, call));
  }

  /** Newest first, at most {@code limit} of those matching. */
  public List<BlockedCall> recent(Predicate<BlockedCall> filter, int limit) {
    List<BlockedCall> out = new ArrayList<>(Math.min(limit, 256));
    long end = next.get();
    for (long i = end - 1; i >= Math.max(0, end - ring.length()) && out.size() < limit; i--) {
      Slot slot = ring.get((int) (i % ring.length()));
      // A writer may have lapped us since: such a slot holds a newer call already seen or skipped.
      if (slot != null && slot.sequence() == i && filter.test(slot.call())) {
        out.add(slot.call());
      }
    }
    return out;
  }
}
