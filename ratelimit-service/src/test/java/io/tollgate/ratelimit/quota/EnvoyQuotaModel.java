package io.tollgate.ratelimit.quota;

/**
 * What Envoy 1.40's {@code rate_limit_quota} filter does with one bucket's assignments, for the
 * simulation: a token bucket refilled continuously at {@code tokens_per_fill / fill_interval}, kept
 * when a new assignment carries the same {@code max_tokens} and {@code tokens_per_fill}, else
 * replaced by one filled to the old one's fraction (full when there was none); blanket rules; and
 * the no-assignment behaviour (ALLOW_ALL) when there is no assignment or it has expired.
 */
final class EnvoyQuotaModel {

  private Assignment current;
  private long expiresAt;
  private double tokens;
  private long lastRefill;
  long allowed;
  long denied;
  long admittedTotal;
  long lastReport = Long.MIN_VALUE;

  /** One request at {@code now}: whether it is admitted. */
  boolean request(long now) {
    if (current != null && now >= expiresAt) {
      current = null;
    }
    boolean admit;
    if (current == null || current.kind() == Assignment.Kind.ALLOW_ALL) {
      admit = true;
    } else if (current.kind() == Assignment.Kind.DENY_ALL) {
      admit = false;
    } else {
      refill(now);
      admit = tokens >= 1;
      if (admit) {
        tokens -= 1;
      }
    }
    if (admit) {
      allowed++;
      admittedTotal++;
    } else {
      denied++;
    }
    return admit;
  }

  void apply(Assignment a, long now) {
    if (a.kind() == Assignment.Kind.TOKEN_BUCKET) {
      boolean same =
          current != null
              && current.kind() == Assignment.Kind.TOKEN_BUCKET
              && current.maxTokens() == a.maxTokens()
              && current.tokensPerFill() == a.tokensPerFill();
      if (!same) {
        if (current != null && current.kind() == Assignment.Kind.TOKEN_BUCKET) {
          refill(now);
          tokens = Math.floor(a.maxTokens() * (tokens / current.maxTokens()));
        } else {
          tokens = a.maxTokens();
        }
        lastRefill = now;
      } else {
        refill(now);
      }
    }
    current = a;
    expiresAt = now + a.ttlSeconds() * 1000;
  }

  /** The usage since the last report, reset. */
  long[] takeUsage() {
    long[] usage = {allowed, denied};
    allowed = 0;
    denied = 0;
    return usage;
  }

  private void refill(long now) {
    tokens =
        Math.min(
            current.maxTokens(), tokens + current.ratePerSecond() * (now - lastRefill) / 1000.0);
    lastRefill = now;
  }
}
