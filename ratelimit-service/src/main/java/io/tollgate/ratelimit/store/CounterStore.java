package io.tollgate.ratelimit.store;

import java.util.concurrent.CompletableFuture;

/** Where counters live: this process's memory or Redis. */
public interface CounterStore extends AutoCloseable {

  /**
   * Applies every operation of {@code batch} in one round trip and fills in its results. The future
   * fails when the store does; callers bound the wait with their own deadline.
   */
  CompletableFuture<Void> apply(CounterBatch batch);

  /**
   * Fills in the results {@link #apply} would give {@code batch} now, in one round trip, without
   * changing any counter: what a decision would be, without spending quota.
   */
  CompletableFuture<Void> peek(CounterBatch batch);

  /** False while the store is known to be unreachable. */
  default boolean connected() {
    return true;
  }

  @Override
  default void close() {}
}
