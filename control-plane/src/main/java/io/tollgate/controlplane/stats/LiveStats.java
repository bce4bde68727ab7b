package io.tollgate.controlplane.stats;

import io.tollgate.controlplane.ControlPlaneSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The statistics not yet in the database. gRPC threads {@link #record} into striped buckets, each
 * under its own short lock (one sketch update), so ingestion never waits on anything else. A ticker
 * {@link #tick seals} ended buckets into per-minute aggregates; a writer {@link #flush flushes}
 * completed minutes. Readers see the stored rows and what is here at once, without double counting:
 * flushing holds the write side of {@link #view}, queries the read side.
 *
 * <p>Memory bound: {@code stripes} open buckets (each at most {@code 2 * topKeys + 416} sketch
 * counters and a 27 KB histogram), the open minute trimmed to {@code topKeys} keys per dimension,
 * and at most {@code bufferedMinutes} completed minutes trimmed to {@code storedKeys} keys per
 * dimension. Keys are at most {@value AccessRecord#MAX_KEY_LENGTH} characters.
 */
public final class LiveStats {

  private static final long MINUTE_MILLIS = 60_000;

  /**
   * What happened to completed minutes on a flush.
   *
   * @param failure why writing stopped early, null when every completed minute was written
   */
  public record FlushResult(
      int written, int dropped, long droppedRequests, RuntimeException failure) {}

  /** Stores one completed minute; throws if it could not, and then nothing may have been kept. */
  @FunctionalInterface
  public interface MinuteWriter {
    void write(long minuteStartMillis, Aggregate minute);
  }

  private static final class Stripe {
    private BucketAggregator current;

    Stripe(BucketAggregator current) {
      this.current = current;
    }
  }

  private final Stripe[] stripes;
  private final long bucketMillis;
  private final int topKeys;
  private final int storedKeys;
  private final int bufferedMinutes;
  private final LongSupplier clock;
  private final ReadWriteLock view = new ReentrantReadWriteLock();
  // Guarded by view: minute start -> counts of the buckets sealed into it.
  private final TreeMap<Long, Aggregate> minutes = new TreeMap<>();
  private long sealedUpTo;

  public LiveStats(ControlPlaneSettings.Stats settings, LongSupplier clock) {
    this.bucketMillis = settings.bucket().toMillis();
    this.topKeys = settings.topKeys();
    this.storedKeys = settings.storedKeys();
    this.bufferedMinutes = settings.bufferedMinutes();
    this.clock = clock;
    long start = bucketStart(clock.getAsLong());
    this.sealedUpTo = start;
    this.stripes = new Stripe[settings.stripes()];
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Stripe(new BucketAggregator(start, topKeys));
    }
  }

  /** Counts one entry in the current bucket. Called on gRPC threads: one short lock, no I/O. */
  public void record(AccessRecord r) {
    Stripe s = stripes[(int) (Thread.currentThread().getId() % stripes.length)];
    synchronized (s) {
      s.current.add(r);
    }
  }

  /**
   * Seals the buckets that have ended into their minute; with {@code all}, seals the open ones too
   * (on shutdown). Returns the sealed buckets' counts, e.g. to mirror them into metrics.
   */
  public Aggregate tick(boolean all) {
    long now = clock.getAsLong();
    long start = bucketStart(now);
    Aggregate sealed = new Aggregate();
    view.writeLock().lock();
    try {
      if (!all && start <= sealedUpTo) {
        return sealed;
      }
      for (Stripe s : stripes) {
        BucketAggregator fresh = new BucketAggregator(start, topKeys);
        BucketAggregator ended;
        synchronized (s) {
          ended = s.current;
          s.current = fresh;
        }
        Aggregate a = ended.toAggregate();
        sealed.merge(a);
        Aggregate minute =
            minutes.computeIfAbsent(minuteStart(ended.startMillis()), m -> new Aggregate());
        minute.merge(a);
        minute.trim(topKeys);
      }
      sealedUpTo = all ? Long.MAX_VALUE : start;
      return sealed;
    } finally {
      view.writeLock().unlock();
    }
  }

  /**
   * Writes every completed minute (all minutes after a {@code tick(true)}), oldest first, stopping
   * at the first failure; then drops the oldest minutes beyond the buffer bound. Readers wait
   * meanwhile, so a minute is never seen both here and in the database.
   */
  public FlushResult flush(MinuteWriter writer) {
    view.writeLock().lock();
    try {
      int written = 0;
      RuntimeException failure = null;
      while (!minutes.isEmpty() && minutes.firstKey() + MINUTE_MILLIS <= completeBefore()) {
        Map.Entry<Long, Aggregate> oldest = minutes.firstEntry();
        oldest.getValue().trim(storedKeys);
        try {
          writer.write(oldest.getKey(), oldest.getValue());
        } catch (RuntimeException e) {
          failure = e;
          break;
        }
        minutes.pollFirstEntry();
        written++;
      }
      int dropped = 0;
      long droppedRequests = 0;
      while (completedMinutes() > bufferedMinutes) {
        droppedRequests += minutes.pollFirstEntry().getValue().requests();
        dropped++;
      }
      return new FlushResult(written, dropped, droppedRequests, failure);
    } finally {
      view.writeLock().unlock();
    }
  }

  /**
   * Runs a query against a stable view: {@code reader} receives what is in memory for the minutes
   * starting in [from, to), and may read the database meanwhile.
   */
  public <T> T read(long fromMillis, long toMillis, Function<List<Minute>, T> reader) {
    view.readLock().lock();
    try {
      List<Minute> found = new ArrayList<>();
      minutes
          .subMap(fromMillis, true, toMillis, false)
          .forEach((start, a) -> found.add(new Minute(start, copy(a))));
      for (Stripe s : stripes) {
        Aggregate open;
        long start;
        synchronized (s) {
          start = s.current.startMillis();
          open = s.current.requests() == 0 ? null : s.current.toAggregate();
        }
        long minute = minuteStart(start);
        if (open != null && minute >= fromMillis && minute < toMillis) {
          found.add(new Minute(minute, open));
        }
      }
      return reader.apply(found);
    } finally {
      view.readLock().unlock();
    }
  }

  /** Counts of one minute held in memory (possibly one of several parts of that minute). */
  public record Minute(long startMillis, Aggregate counts) {}

  /** Completed minutes waiting for the database, for a gauge. */
  public int pendingMinutes() {
    view.readLock().lock();
    try {
      return completedMinutes();
    } finally {
      view.readLock().unlock();
    }
  }

  private int completedMinutes() {
    return minutes.headMap(completeBefore() - MINUTE_MILLIS, true).size();
  }

  private long completeBefore() {
    return sealedUpTo == Long.MAX_VALUE ? Long.MAX_VALUE : minuteStart(sealedUpTo);
  }

  private long bucketStart(long millis) {
    return Math.floorDiv(millis, bucketMillis) * bucketMillis;
  }

  private static long minuteStart(long millis) {
    return Math.floorDiv(millis, MINUTE_MILLIS) * MINUTE_MILLIS;
  }

  private static Aggregate copy(Aggregate a) {
    Aggregate c = new Aggregate();
    c.merge(a);
    return c;
  }
}
