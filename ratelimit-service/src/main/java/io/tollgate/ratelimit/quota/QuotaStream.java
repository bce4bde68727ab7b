package io.tollgate.ratelimit.quota;

import io.envoyproxy.envoy.service.rate_limit_quota.v3.BucketId;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.RateLimitQuotaResponse;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.RateLimitQuotaResponse.BucketAction;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.RateLimitQuotaUsageReports;
import io.envoyproxy.envoy.service.rate_limit_quota.v3.RateLimitQuotaUsageReports.BucketQuotaUsage;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tollgate.ratelimit.config.CompiledConfig;
import io.tollgate.ratelimit.config.RateLimitPolicy;
import io.tollgate.ratelimit.limiter.CacheKeys;
import io.tollgate.ratelimit.limiter.ThrottledLog;
import io.tollgate.ratelimit.limiter.WindowMath;
import io.tollgate.ratelimit.store.CounterBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Envoy's {@code StreamRateLimitQuotas} stream. Each report is checked on the gRPC event loop
 * (domain, size), then its buckets' usage is added to the fleet's counters in the store in one
 * round trip (never waiting on the event loop), and answered with one assignment per bucket. At
 * each window boundary of its counted buckets the stream pushes the next window's assignments
 * unasked, as a report of no usage would be answered, so a DENY_ALL ends with its window.
 *
 * <p>Reports, boundary pushes and the stream's end run one at a time, in order, so the per-bucket
 * state needs no lock and responses never interleave. State is bounded: at most {@code
 * RLQS_MAX_BUCKETS_PER_STREAM} buckets and {@value #MAX_PENDING} reports waiting for the store;
 * buckets idle for {@code RLQS_BUCKET_IDLE_TIMEOUT} are abandoned; all of it goes when the stream
 * ends.
 */
final class QuotaStream implements StreamObserver<RateLimitQuotaUsageReports> {

  private static final Logger LOG = LoggerFactory.getLogger(QuotaStream.class);
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
  private static final int MAX_PENDING = 64;

  /** How long after a window's end its push runs, so the clock is surely in the next window. */
  private static final long BOUNDARY_DELAY_MILLIS = 5;

  private final QuotaContext ctx;
  private final ServerCallStreamObserver<RateLimitQuotaResponse> out;
  private final Consumer<QuotaStream> onEnd;
  private final ThrottledLog storeLog;

  // Touched only by work run through enqueue(), one piece at a time.
  private final Map<BucketId, BucketState> buckets = new HashMap<>();
  private int denied;
  private ScheduledFuture<?> tick;
  private long tickAt = Long.MAX_VALUE;

  // Guarded by this.
  private CompletableFuture<Void> tail = DONE;
  private int pending;
  private volatile boolean ended;

  /** Set by the first report, on the event loop, before any work that reads it is queued. */
  private volatile String domain;

  QuotaStream(
      QuotaContext ctx,
      ServerCallStreamObserver<RateLimitQuotaResponse> out,
      Consumer<QuotaStream> onEnd) {
    this.ctx = ctx;
    this.out = out;
    this.onEnd = onEnd;
    this.storeLog = new ThrottledLog(QuotaStream.class, Duration.ofSeconds(10), ctx.clock());
    ctx.metrics().streams.incrementAndGet();
  }

  @Override
  public void onNext(RateLimitQuotaUsageReports report) {
    if (ended) {
      return;
    }
    ctx.metrics().reports.increment();
    String d = report.getDomain();
    if (domain == null) {
      if (d.isEmpty()) {
        fail(
            Status.INVALID_ARGUMENT.withDescription("the stream's first report must name a domain"),
            QuotaMetrics.Rejection.INVALID);
        return;
      }
      domain = d;
    } else if (!d.isEmpty() && !d.equals(domain)) {
      fail(
          Status.INVALID_ARGUMENT.withDescription(
              "domain '"
                  + d
                  + "' on a stream opened for domain '"
                  + domain
                  + "': one stream serves one domain, open another stream for another domain"),
          QuotaMetrics.Rejection.DOMAIN);
      return;
    }
    int n = report.getBucketQuotaUsagesCount();
    int max = ctx.settings().maxBucketsPerStream();
    if (n > max) {
      fail(
          Status.RESOURCE_EXHAUSTED.withDescription(
              "a report of "
                  + n
                  + " buckets exceeds RLQS_MAX_BUCKETS_PER_STREAM="
                  + max
                  + " (domain '"
                  + domain
                  + "')"),
          QuotaMetrics.Rejection.TOO_MANY_BUCKETS);
      return;
    }
    List<Usage> usages = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      BucketQuotaUsage u = report.getBucketQuotaUsages(i);
      if (u.getBucketId().getBucketCount() == 0) {
        fail(
            Status.INVALID_ARGUMENT.withDescription(
                "bucket_quota_usages[" + i + "].bucket_id has no entries"),
            QuotaMetrics.Rejection.INVALID);
        return;
      }
      usages.add(
          new Usage(
              u.getBucketId(),
              Math.max(0, u.getNumRequestsAllowed()),
              Math.max(0, u.getNumRequestsDenied())));
    }
    ctx.metrics().bucketReports.increment(n);
    enqueue(() -> process(usages, false));
  }

  @Override
  public void onError(Throwable t) {
    end(null);
  }

  @Override
  public void onCompleted() {
    end(out::onCompleted);
  }

  /** Ends the stream with {@code status}, after the work already queued. */
  void fail(Status status, QuotaMetrics.Rejection reason) {
    if (!end(() -> out.onError(status.asRuntimeException()))) {
      return;
    }
    ctx.metrics().rejected(reason);
    LOG.warn("RLQS stream ended: {}: {}", status.getCode(), status.getDescription());
  }

  /** Marks the stream ended and queues its clean-up, then {@code last}; false if already ended. */
  private boolean end(Runnable last) {
    synchronized (this) {
      if (ended) {
        return false;
      }
      ended = true;
      tail =
          tail.handle(
              (v, e) -> {
                cleanUp(last);
                return null;
              });
    }
    return true;
  }

  private void cleanUp(Runnable last) {
    if (tick != null) {
      tick.cancel(false);
      tick = null;
    }
    ctx.metrics().deniedBuckets.addAndGet(-denied);
    denied = 0;
    buckets.values().forEach(this::release);
    buckets.clear();
    ctx.metrics().streams.decrementAndGet();
    onEnd.accept(this);
    if (last != null) {
      try {
        last.run();
      } catch (RuntimeException e) {
        LOG.debug("RLQS stream already closed: {}", e.toString());
      }
    }
  }

  private void enqueue(Supplier<CompletableFuture<Void>> work) {
    boolean overloaded;
    synchronized (this) {
      if (ended) {
        return;
      }
      overloaded = ++pending > MAX_PENDING;
      if (!overloaded) {
        tail =
            tail.thenCompose(v -> run(work))
                .handle(
                    (v, e) -> {
                      synchronized (this) {
                        pending--;
                      }
                      return null;
                    });
      }
    }
    if (overloaded) {
      fail(
          Status.RESOURCE_EXHAUSTED.withDescription(
              "more than " + MAX_PENDING + " reports wait for the counter store on this stream"),
          QuotaMetrics.Rejection.OVERLOADED);
    }
  }

  private CompletableFuture<Void> run(Supplier<CompletableFuture<Void>> work) {
    if (ended) {
      return DONE;
    }
    try {
      return work.get()
          .exceptionally(
              e -> {
                internalError(e);
                return null;
              });
    } catch (RuntimeException e) {
      internalError(e);
      return DONE;
    }
  }

  private void internalError(Throwable e) {
    LOG.error("RLQS stream failed", e);
    fail(
        Status.INTERNAL.withDescription("rate-limit service error: " + e),
        QuotaMetrics.Rejection.INTERNAL);
  }

  /**
   * Counts the usages and answers them; done when the response is sent.
   *
   * @param push no report asked: the window-boundary push
   */
  private CompletableFuture<Void> process(List<Usage> usages, boolean push) {
    long now = ctx.clock().millis();
    CompiledConfig config = ctx.config().current();
    long idleMillis = ctx.settings().bucketIdleTimeout().toMillis();
    int max = ctx.settings().maxBucketsPerStream();
    List<Item> items = new ArrayList<>(usages.size());
    // Per bucket at most three counters: the window's, the previous window's share of a report
    // straddling the boundary, and the demand.
    CounterBatch batch = new CounterBatch(3 * usages.size());
    for (Usage u : usages) {
      BucketState s = buckets.get(u.id());
      if (s == null) {
        if (buckets.size() >= max) {
          fail(
              Status.RESOURCE_EXHAUSTED.withDescription(
                  "more than RLQS_MAX_BUCKETS_PER_STREAM=" + max + " buckets on one stream"),
              QuotaMetrics.Rejection.TOO_MANY_BUCKETS);
          return DONE;
        }
        s =
            new BucketState(
                u.id(), new BucketAssigner(ctx.math(), ctx.settings().shareSmoothing()), now);
        buckets.put(u.id(), s);
      }
      if (s.config != config) {
        release(s);
        s.resolved = ctx.limits().resolve(config, domain, u.id());
        s.config = config;
      }
      long demand = u.allowed() + u.denied();
      if (demand > 0) {
        s.lastActive = now;
      } else if (now - s.lastActive >= idleMillis) {
        items.add(new Item(s, 0, true, push));
        continue;
      }
      Item item = new Item(s, demand, false, push);
      if (s.resolved.counted()) {
        RateLimitPolicy p = s.resolved.policy();
        long windowStart = WindowMath.windowStart(now, p.unit().millis());
        long startSeconds = windowStart / 1000;
        long windowSeconds = p.unit().seconds();
        String allowed = s.resolved.allowedBase();
        String demandBase = s.resolved.demandBase();
        long tail = 0;
        if (!push) {
          tail = UsageSplit.previousWindowPart(u.allowed(), s.lastReport, windowStart, now);
          s.lastReport = now;
        }
        if (tail > 0) {
          long previous = startSeconds - windowSeconds;
          batch.addFixed(
              allowed, CacheKeys.window(allowed, previous), previous, windowSeconds, tail);
        }
        item.allowedSlot =
            batch.addFixed(
                allowed,
                CacheKeys.window(allowed, startSeconds),
                startSeconds,
                windowSeconds,
                u.allowed() - tail);
        if (!push) {
          // The demand counter spans windows (it expires once the bucket idles), so a share's
          // sample never straddles a window's roll-over.
          item.demandSlot =
              batch.addFixed(
                  demandBase,
                  demandBase,
                  0,
                  ctx.settings().bucketIdleTimeout().toSeconds(),
                  demand);
        }
      }
      items.add(item);
    }
    if (batch.isEmpty()) {
      respond(items, batch, null, now);
      return DONE;
    }
    CompletableFuture<Void> applied;
    try {
      applied = ctx.store().apply(batch);
    } catch (RuntimeException e) {
      applied = CompletableFuture.failedFuture(e);
    }
    // A copy times out, not the store's own future.
    return applied
        .copy()
        .orTimeout(ctx.storeDeadline().toNanos(), TimeUnit.NANOSECONDS)
        .handle(
            (v, error) -> {
              respond(items, batch, error, now);
              return null;
            });
  }

  private void respond(List<Item> items, CounterBatch batch, Throwable storeError, long now) {
    if (ended) {
      return;
    }
    boolean storeFailed = storeError != null;
    if (storeFailed) {
      ctx.metrics().storeFailures.increment();
      storeLog.warn(
          "RLQS: counter store failed, answering with {}: {}",
          ctx.settings().storeFailure(),
          String.valueOf(storeError));
    }
    RateLimitQuotaResponse.Builder response = RateLimitQuotaResponse.newBuilder();
    for (Item item : items) {
      BucketState s = item.state;
      if (item.abandon) {
        setDenied(s, false);
        release(s);
        buckets.remove(s.id);
        response.addBucketAction(
            BucketAction.newBuilder()
                .setBucketId(s.id)
                .setAbandonAction(BucketAction.AbandonAction.getDefaultInstance()));
        ctx.metrics().abandoned.increment();
        continue;
      }
      Assignment a = assignment(item, batch, storeFailed, now);
      setDenied(s, a.kind() == Assignment.Kind.DENY_ALL);
      ctx.metrics().assigned(a.kind());
      response.addBucketAction(a.toAction(s.id));
    }
    if (response.getBucketActionCount() > 0) {
      out.onNext(response.build());
    }
    scheduleBoundary(now);
  }

  private Assignment assignment(Item item, CounterBatch batch, boolean storeFailed, long now) {
    BucketState s = item.state;
    long ttlMax = ctx.settings().assignmentTtlMax().toSeconds();
    if (!s.resolved.counted()) {
      if (s.resolved.policy() == null) {
        ctx.metrics().noLimit.increment();
      }
      return Assignment.allowAll(ttlMax);
    }
    RateLimitPolicy p = s.resolved.policy();
    long window = p.unit().millis();
    String key = s.resolved.allowedBase();
    if (storeFailed) {
      ctx.reservations().release(key, this);
      return s.assigner.storeFailed(p.requestsPerUnit(), window, ctx.settings().storeFailure());
    }
    long windowStart = WindowMath.windowStart(now, window);
    Reservations.Reserved others = ctx.reservations().others(key, this, windowStart);
    long counted = batch.count(item.allowedSlot);
    Assignment a =
        item.push
            ? s.assigner.push(p.requestsPerUnit(), window, now, counted, others)
            : s.assigner.report(
                p.requestsPerUnit(),
                window,
                now,
                item.demand,
                batch.count(item.demandSlot),
                counted,
                others);
    ctx.reservations().reserve(key, this, windowStart, a.allowance());
    return p.shadowMode() || ctx.globalShadowMode() ? Assignment.allowAll(ttlMax) : a;
  }

  private void release(BucketState s) {
    if (s.resolved.counted()) {
      ctx.reservations().release(s.resolved.allowedBase(), this);
    }
  }

  private void setDenied(BucketState s, boolean nowDenied) {
    if (s.denied != nowDenied) {
      s.denied = nowDenied;
      int delta = nowDenied ? 1 : -1;
      denied += delta;
      ctx.metrics().deniedBuckets.addAndGet(delta);
    }
  }

  /** Schedules the push for the earliest window end among the counted buckets. */
  private void scheduleBoundary(long now) {
    long next = Long.MAX_VALUE;
    for (BucketState s : buckets.values()) {
      if (s.assigner.windowEnd() > now && s.assigner.windowEnd() < next) {
        next = s.assigner.windowEnd();
      }
    }
    if (next == Long.MAX_VALUE || (tick != null && tickAt <= next)) {
      return;
    }
    if (tick != null) {
      tick.cancel(false);
    }
    tickAt = next;
    tick =
        ctx.scheduler()
            .schedule(
                () -> enqueue(this::pushBoundary),
                next - now + BOUNDARY_DELAY_MILLIS,
                TimeUnit.MILLISECONDS);
  }

  /** Answers, unasked, every counted bucket whose window has ended, as a report of no usage. */
  private CompletableFuture<Void> pushBoundary() {
    tick = null;
    tickAt = Long.MAX_VALUE;
    long now = ctx.clock().millis();
    List<Usage> due = new ArrayList<>();
    for (BucketState s : buckets.values()) {
      if (s.assigner.windowEnd() > 0 && s.assigner.windowEnd() <= now) {
        due.add(new Usage(s.id, 0, 0));
      }
    }
    if (due.isEmpty()) {
      scheduleBoundary(now);
      return DONE;
    }
    return process(due, true);
  }

  /** One bucket's usage in a report. */
  private record Usage(BucketId id, long allowed, long denied) {}

  /** One bucket of the report being answered. */
  private static final class Item {
    final BucketState state;
    final long demand;
    final boolean abandon;
    final boolean push;
    int allowedSlot = -1;
    int demandSlot = -1;

    Item(BucketState state, long demand, boolean abandon, boolean push) {
      this.state = state;
      this.demand = demand;
      this.abandon = abandon;
      this.push = push;
    }
  }

  /** What the stream knows about one of its buckets. */
  private static final class BucketState {
    final BucketId id;
    CompiledConfig config;
    BucketLimits.Resolved resolved = BucketLimits.Resolved.NONE;

    final BucketAssigner assigner;
    long lastActive;

    /** When this stream last reported the bucket (pushes aside); MIN_VALUE before. */
    long lastReport = Long.MIN_VALUE;

    boolean denied;

    BucketState(BucketId id, BucketAssigner assigner, long now) {
      this.id = id;
      this.assigner = assigner;
      this.lastActive = now;
    }
  }
}
