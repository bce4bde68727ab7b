package io.tollgate.ratelimit.limiter;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A warning logged at most once per interval, with the number of repeats it stood for, so an outage
 * at 50,000 calls a second writes one line every few seconds instead of flooding the log.
 */
public final class ThrottledLog {

  private final Logger log;
  private final long intervalMillis;
  private final Clock clock;
  private final AtomicLong nextAt = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  public ThrottledLog(Class<?> owner, Duration interval, Clock clock) {
    this.log = LoggerFactory.getLogger(owner);
    this.intervalMillis = interval.toMillis();
    this.clock = clock;
  }

  public void warn(String format, Object... args) {
    long now = clock.millis();
    long next = nextAt.get();
    if (now < next || !nextAt.compareAndSet(next, now + intervalMillis)) {
      suppressed.incrementAndGet();
      return;
    }
    long repeats = suppressed.getAndSet(0);
    if (repeats > 0) {
      log.warn(format + " ({} similar failures since the last report)", append(args, repeats));
    } else {
      log.warn(format, args);
    }
  }

  private static Object[] append(Object[] args, Object extra) {
    Object[] out = new Object[args.length + 1];
    System.arraycopy(args, 0, out, 0, args.length);
    out[args.length] = extra;
    return out;
  }
}
