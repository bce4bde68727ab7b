package io.tollgate.ratelimit.store;

/**
 * The arithmetic of a token bucket, in integers only, kept pure so that the in-memory store, the
 * Redis store's peek and its Lua script ({@link RedisCounterStore#BUCKET_SCRIPT}, which mirrors
 * this line by line) decide alike.
 *
 * <p>A limit of {@code rate} requests per window of {@code W} seconds with a burst {@code b} is a
 * bucket of {@code capacity = rate + b} tokens. A new (or idle) client finds it full, so it may
 * send {@code rate + b} calls at once; each admitted call takes one token per hit; the bucket
 * refills at {@code rate} tokens per window, never beyond its capacity.
 *
 * <p>Tokens are kept in thousandths ({@value #SCALE} units a token) and refilled in steps of a
 * thousandth of the window ({@code W} ms, the grain): each grain adds exactly {@code rate} units.
 * So the refill is exact whatever the rate (no rounding of {@code W / rate}), the numbers stay
 * below 2^53 (Lua's numbers are doubles), and a token arrives at most one grain late. The state is
 * {@code units} and {@code lastMillis}, the end of the last whole grain credited: a partial grain
 * carries over to the next call, unless the bucket is full (then it is the time it was found full,
 * as for a new bucket, so forgetting a full bucket changes nothing).
 *
 * @param units thousandths of a token in the bucket
 * @param lastMillis when the bucket was last refilled, ms since the epoch
 */
public record TokenBucket(long units, long lastMillis) {

  /** Units per token. */
  public static final long SCALE = 1000;

  /** What a client the store has never seen (or has forgotten) finds: a full bucket. */
  public static TokenBucket full(long capacity, long nowMillis) {
    return new TokenBucket(capacity * SCALE, nowMillis);
  }

  /** The grain of a window: a thousandth of it, in ms. */
  public static long grainMillis(long windowSeconds) {
    return windowSeconds;
  }

  /**
   * This bucket at {@code nowMillis}: the whole grains since {@link #lastMillis} credited, capped
   * at the capacity (which also trims a bucket whose limit was lowered). A clock behind {@code
   * lastMillis} (another replica's) credits nothing and never moves it back.
   */
  public TokenBucket refilled(long nowMillis, long windowSeconds, long rate, long capacity) {
    long cap = capacity * SCALE;
    long grainMillis = grainMillis(windowSeconds);
    long grains = Math.max(0, Math.floorDiv(nowMillis - lastMillis, grainMillis));
    // Past the grains a refill from empty takes, the bucket is full: no product to overflow.
    long added = grains > cap / rate ? cap : grains * rate;
    if (units + added >= cap) {
      // Full: no partial grain carries over, exactly as a bucket the store forgot (or never had).
      return new TokenBucket(cap, Math.max(lastMillis, nowMillis));
    }
    return new TokenBucket(units + added, lastMillis + grains * grainMillis);
  }

  /** Whether {@code hits} whole tokens are in the bucket. */
  public boolean admits(long hits) {
    return units >= hits * SCALE;
  }

  /** The bucket after an admitted call of {@code hits}. */
  public TokenBucket take(long hits) {
    return new TokenBucket(units - hits * SCALE, lastMillis);
  }

  /**
   * How long, in ms, until a bucket holding {@code units} holds {@code target} units, with no call
   * in between; it may be up to one grain more than the exact wait (the grain under way is not
   * known here), never less.
   */
  public static long millisUntil(long units, long target, long windowSeconds, long rate) {
    if (units >= target) {
      return 0;
    }
    long grains = (target - units + rate - 1) / rate;
    return grains * grainMillis(windowSeconds);
  }

  /**
   * How long the store must keep a bucket: the time it takes to refill from empty, after which it
   * would read as full anyway, so forgetting it changes no decision.
   */
  public static long ttlSeconds(long capacity, long windowSeconds, long rate) {
    return Math.floorDiv(millisUntil(0, capacity * SCALE, windowSeconds, rate) + 999, 1000) + 1;
  }
}
