package io.tollgate.e2e;

import io.tollgate.testsupport.SourceAddressHttp;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

/**
 * Paced client threads, one per client IP, each with one request in flight at a time, recording
 * every request: when it started and ended, its path, and its status (0: no HTTP answer). With one
 * request in flight per thread, what a stopped process had in flight is at most one per thread.
 */
final class SteadyLoad implements AutoCloseable {

  /** One request as the client saw it; times from {@link System#nanoTime()}. */
  record Request(String clientIp, String path, long startNanos, long endNanos, int status) {

    boolean answered() {
      return status > 0;
    }

    /** Whether it was in flight at some moment of [from, to]. */
    boolean overlaps(long fromNanos, long toNanos) {
      return startNanos <= toNanos && endNanos >= fromNanos;
    }
  }

  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);

  /**
   * Starts one thread per client IP; each sends GET {@code pathAt(ip, nanoTime)} through {@code
   * send}, then waits {@code pauseMillis}.
   */
  SteadyLoad(
      List<String> clientIps,
      BiFunction<String, Long, String> pathAt,
      BiFunction<String, String, SourceAddressHttp.Response> send,
      long pauseMillis) {
    for (String ip : clientIps) {
      Thread t =
          new Thread(
              () -> {
                while (running.get()) {
                  long start = System.nanoTime();
                  String path = pathAt.apply(ip, start);
                  int status;
                  try {
                    status = send.apply(ip, path).status();
                  } catch (UncheckedIOException e) {
                    status = 0;
                  }
                  requests.add(new Request(ip, path, start, System.nanoTime(), status));
                  pause(pauseMillis);
                }
              },
              "load-" + ip);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
  }

  /** Every request completed so far. */
  List<Request> requests() {
    return List.copyOf(requests);
  }

  int completed() {
    return requests.size();
  }

  /** Stops the threads and waits for their last requests (bounded by the client's timeout). */
  @Override
  public void close() {
    running.set(false);
    for (Thread t : threads) {
      try {
        t.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Pacing, not synchronising: the load's fixed rate per client is what the tests count. */
  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
