package io.tollgate.testsupport;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a test started, closed in the reverse order of starting (Envoy before the control plane it
 * talks to), each one even when another fails to stop: a process left running would outlive the
 * test.
 */
public final class Teardown implements AutoCloseable {

  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  /** Registers {@code resource} to be closed by {@link #close()} and returns it. */
  public synchronized <T extends AutoCloseable> T add(T resource) {
    started.push(resource);
    return resource;
  }

  @Override
  public synchronized void close() {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        // Keep stopping the rest.
      }
    }
  }
}
