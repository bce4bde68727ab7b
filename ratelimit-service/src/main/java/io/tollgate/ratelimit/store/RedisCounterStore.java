package io.tollgate.ratelimit.store;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.ArrayOutput;
import io.lettuce.core.output.BooleanOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.tollgate.ratelimit.settings.Settings;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counters in Redis (standalone, Sentinel or Cluster) through one multiplexed Lettuce connection. A
 * batch is written as one pipeline — {@code INCRBY} and {@code EXPIRE} per counter, plus {@code
 * GET} of the previous window for a sliding one — and flushed once, so a call costs one round trip
 * whatever its number of descriptors (in a cluster, one per node touched, in parallel).
 *
 * <p>While Redis is unreachable, commands are rejected at once instead of queued, so callers get
 * their failure answer within their deadline; Lettuce reconnects in the background (at most {@value
 * #MAX_RECONNECT_DELAY_MS} ms between attempts) and counting resumes without a restart.
 */
public final class RedisCounterStore implements CounterStore {

  private static final Logger LOG = LoggerFactory.getLogger(RedisCounterStore.class);
  private static final long MAX_RECONNECT_DELAY_MS = 1000;
  private static final int MAX_QUEUED_COMMANDS = 65_536;
  private static final StringCodec CODEC = StringCodec.UTF8;

  /**
   * KEYS: current window, previous window. ARGV: hits, ttl seconds, limit, previous weight (in
   * 1/10000). Adds the hits only when the estimate stays within the limit; returns {current,
   * previous, applied}. Same arithmetic as {@link CounterBatch#admits}.
   */
  static final String SLIDING_SCRIPT =
      """
      local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
      local prev = tonumber(redis.call('GET', KEYS[2]) or '0')
      local hits = tonumber(ARGV[1])
      local weighted = math.floor((prev * tonumber(ARGV[4]) + 9999) / 10000)
      local applied = 0
      if cur + hits + weighted <= tonumber(ARGV[3]) then
        applied = 1
        if hits > 0 then
          cur = redis.call('INCRBY', KEYS[1], hits)
          redis.call('EXPIRE', KEYS[1], ARGV[2])
        end
      end
      return {cur, prev, applied}
      """;

  private static final String SLIDING_SHA = sha1(SLIDING_SCRIPT);

  /**
   * KEYS: the bucket (a hash: {@code u} units, {@code t} last refill ms). ARGV: hits, ttl seconds,
   * rate, capacity, now ms, grain ms. {@link TokenBucket} line by line: a missing bucket is full;
   * whole grains since {@code t} add {@code rate} units each, capped at the capacity; the hits are
   * taken only when all are there. Returns {units left, applied}. The bucket is written back even
   * when the call is refused (its refill only). One key, so one slot: cluster-safe as it is. The
   * numbers are written with {@code %.0f}: Redis's own number-to-text could use an exponent.
   */
  static final String BUCKET_SCRIPT =
      """
      local hits = tonumber(ARGV[1])
      local rate = tonumber(ARGV[3])
      local cap = tonumber(ARGV[4]) * 1000
      local now = tonumber(ARGV[5])
      local grain = tonumber(ARGV[6])
      local state = redis.call('HMGET', KEYS[1], 'u', 't')
      local units = cap
      local last = now
      if state[1] and state[2] then
        units = tonumber(state[1])
        last = tonumber(state[2])
      end
      local grains = math.floor((now - last) / grain)
      if grains < 0 then grains = 0 end
      local added = cap
      if grains <= math.floor(cap / rate) then added = grains * rate end
      if units + added >= cap then
        units = cap
        last = math.max(last, now)
      else
        units = units + added
        last = last + grains * grain
      end
      local applied = 0
      if units >= hits * 1000 then
        applied = 1
        units = units - hits * 1000
      end
      redis.call('HSET', KEYS[1], 'u', string.format('%.0f', units), 't', string.format('%.0f', last))
      redis.call('EXPIRE', KEYS[1], ARGV[2])
      return {units, applied}
      """;

  private static final String BUCKET_SHA = sha1(BUCKET_SCRIPT);

  private final long jitterMaxSeconds;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final ScheduledExecutorService connector;
  private volatile StatefulConnection<String, String> connection;
  private volatile boolean closed;

  /**
   * @param expirationJitterMaxSeconds {@code EXPIRATION_JITTER_MAX_SECONDS}: a random extra TTL per
   *     write, so keys written in the same second do not all expire in the same second
   */
  public RedisCounterStore(Settings.Redis settings, long expirationJitterMaxSeconds) {
    this.jitterMaxSeconds = expirationJitterMaxSeconds;
    this.resources =
        ClientResources.builder()
            .ioThreadPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors()))
            .computationThreadPoolSize(2)
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(50),
                    Duration.ofMillis(MAX_RECONNECT_DELAY_MS),
                    2,
                    TimeUnit.MILLISECONDS))
            .build();
    List<RedisURI> uris = RedisEndpoints.parse(settings);
    ClientOptions.Builder options =
        settings.type() == Settings.RedisType.CLUSTER
            ? ClusterClientOptions.builder()
                .topologyRefreshOptions(
                    ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(30))
                        .enableAllAdaptiveRefreshTriggers()
                        // Follow a replica's promotion within about a second of it: Lettuce's
                        // defaults (at most one adaptive refresh per 30 s, after 5 failed
                        // reconnects) kept the failed master's slots failing for seconds after.
                        .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                        .refreshTriggersReconnectAttempts(1)
                        .build())
            : ClientOptions.builder();
    options
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(MAX_QUEUED_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
        .socketOptions(SocketOptions.builder().connectTimeout(settings.timeout()).build());
    if (settings.tls() && !settings.tlsCaCert().isEmpty()) {
      options.sslOptions(SslOptions.builder().trustManager(new File(settings.tlsCaCert())).build());
    }
    if (settings.type() == Settings.RedisType.CLUSTER) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, uris);
      cluster.setOptions((ClusterClientOptions) options.build());
      this.client = cluster;
    } else {
      RedisClient single = RedisClient.create(resources, uris.get(0));
      single.setOptions(options.build());
      this.client = single;
    }
    this.connector =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "redis-connect");
              t.setDaemon(true);
              return t;
            });
    connect();
  }

  /**
   * Connects now if Redis answers, else keeps trying in the background: the service starts and
   * answers (per its failure mode) even when Redis comes up after it.
   */
  private void connect() {
    if (closed) {
      return;
    }
    try {
      connection =
          client instanceof RedisClusterClient cluster
              ? cluster.connect(CODEC)
              : ((RedisClient) client).connect(CODEC);
      LOG.info("connected to Redis");
    } catch (RuntimeException e) {
      LOG.warn("cannot connect to Redis yet, retrying: {}", e.getMessage());
      connector.schedule(this::connect, MAX_RECONNECT_DELAY_MS, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public CompletableFuture<Void> apply(CounterBatch batch) {
    return pipeline(batch, this::applyOne);
  }

  private void applyOne(
      StatefulConnection<String, String> c,
      CounterBatch batch,
      int op,
      List<RedisCommand<String, String, ?>> commands,
      List<CompletableFuture<?>> results) {
    String key = batch.key(op);
    if (batch.isBucket(op)) {
      results.add(
          script(c, batch, op, RedisCounterStore::bucketScript, commands)
              .thenAccept(
                  r -> {
                    batch.setCount(op, (Long) r.get(0));
                    batch.setApplied(op, (Long) r.get(1) == 1L);
                  }));
      return;
    }
    if (batch.isSliding(op)) {
      results.add(
          script(c, batch, op, this::slidingScript, commands)
              .thenAccept(
                  r -> {
                    batch.setCount(op, (Long) r.get(0));
                    batch.setPreviousCount(op, (Long) r.get(1));
                    batch.setApplied(op, (Long) r.get(2) == 1L);
                  }));
      return;
    }
    AsyncCommand<String, String, Long> increment =
        new AsyncCommand<>(
            new Command<>(
                CommandType.INCRBY,
                new IntegerOutput<>(CODEC),
                new CommandArgs<>(CODEC).addKey(key).add(batch.hits(op))));
    AsyncCommand<String, String, Boolean> expire =
        new AsyncCommand<>(
            new Command<>(
                CommandType.EXPIRE,
                new BooleanOutput<>(CODEC),
                new CommandArgs<>(CODEC).addKey(key).add(batch.ttlSeconds(op) + jitter())));
    commands.add(increment);
    commands.add(expire);
    results.add(increment.thenAccept(v -> batch.setCount(op, v)));
    results.add(expire);
  }

  /**
   * {@code GET} of each key (and of a sliding operation's previous window), pipelined like {@link
   * #apply}; the results are computed here with the same arithmetic as the increments and the
   * script, and nothing is written.
   */
  @Override
  public CompletableFuture<Void> peek(CounterBatch batch) {
    return pipeline(batch, RedisCounterStore::peekOne);
  }

  private static void peekOne(
      StatefulConnection<String, String> c,
      CounterBatch batch,
      int op,
      List<RedisCommand<String, String, ?>> commands,
      List<CompletableFuture<?>> results) {
    if (batch.isBucket(op)) {
      AsyncCommand<String, String, List<Object>> state =
          new AsyncCommand<>(
              new Command<>(
                  CommandType.HMGET,
                  new ArrayOutput<>(CODEC),
                  new CommandArgs<>(CODEC).addKey(batch.key(op)).add("u").add("t")));
      commands.add(state);
      results.add(
          state.thenAccept(
              r ->
                  batch.takeFrom(
                      op,
                      r.get(0) == null || r.get(1) == null
                          ? batch.fullBucket(op)
                          : new TokenBucket(
                              Long.parseLong((String) r.get(0)),
                              Long.parseLong((String) r.get(1))))));
      return;
    }
    AsyncCommand<String, String, String> current = get(batch.key(op));
    commands.add(current);
    if (!batch.isSliding(op)) {
      results.add(current.thenAccept(v -> batch.setCount(op, parse(v) + batch.hits(op))));
      return;
    }
    AsyncCommand<String, String, String> previous = get(batch.previousKey(op));
    commands.add(previous);
    results.add(
        current.thenAcceptBoth(
            previous,
            (cur, prev) -> {
              long count = parse(cur);
              long before = parse(prev);
              long hits = batch.hits(op);
              boolean admitted =
                  CounterBatch.admits(count, before, hits, batch.weight(op), batch.limit(op));
              batch.setCount(op, admitted ? count + hits : count);
              batch.setPreviousCount(op, before);
              batch.setApplied(op, admitted);
            }));
  }

  /** What one operation of a batch adds to the pipeline: its commands and its result's future. */
  @FunctionalInterface
  private interface Operation {
    void add(
        StatefulConnection<String, String> c,
        CounterBatch batch,
        int op,
        List<RedisCommand<String, String, ?>> commands,
        List<CompletableFuture<?>> results);
  }

  /**
   * The batch's commands in one pipelined write (one flush, not one per command); done when every
   * operation's result is in. Fails at once when not connected, so the limiter's failure mode
   * applies.
   */
  private CompletableFuture<Void> pipeline(CounterBatch batch, Operation operation) {
    StatefulConnection<String, String> c = connection;
    if (c == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("not connected to Redis"));
    }
    int n = batch.size();
    List<RedisCommand<String, String, ?>> commands = new ArrayList<>(n * 2);
    List<CompletableFuture<?>> results = new ArrayList<>(n);
    for (int op = 0; op < n; op++) {
      operation.add(c, batch, op, commands, results);
    }
    c.dispatch(commands);
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new));
  }

  private static AsyncCommand<String, String, String> get(String key) {
    return new AsyncCommand<>(
        new Command<>(
            CommandType.GET, new ValueOutput<>(CODEC), new CommandArgs<>(CODEC).addKey(key)));
  }

  private static long parse(String value) {
    return value == null ? 0 : Long.parseLong(value);
  }

  /**
   * The sliding-window check-and-increment, by digest ({@code EVALSHA}) or by text ({@code EVAL}).
   * Both keys carry the same hash tag, so in a cluster they live on one node as a script requires.
   */
  private AsyncCommand<String, String, List<Object>> slidingScript(
      CounterBatch batch, int i, boolean bySha) {
    CommandArgs<String, String> args =
        new CommandArgs<>(CODEC)
            .add(bySha ? SLIDING_SHA : SLIDING_SCRIPT)
            .add(2)
            .addKey(batch.key(i))
            .addKey(batch.previousKey(i))
            .add(batch.hits(i))
            .add(batch.ttlSeconds(i) + jitter())
            .add(batch.limit(i))
            .add(batch.weight(i));
    return new AsyncCommand<>(
        new Command<>(
            bySha ? CommandType.EVALSHA : CommandType.EVAL, new ArrayOutput<>(CODEC), args));
  }

  /** Builds a script's command, by digest or by text. */
  @FunctionalInterface
  private interface ScriptCommand {
    AsyncCommand<String, String, List<Object>> build(CounterBatch batch, int i, boolean bySha);
  }

  /**
   * Queues a script by digest ({@code EVALSHA}) into the batch's pipeline; when Redis lost its
   * script cache (a restart) it is sent again by text.
   */
  private static CompletableFuture<List<Object>> script(
      StatefulConnection<String, String> c,
      CounterBatch batch,
      int i,
      ScriptCommand command,
      List<RedisCommand<String, String, ?>> commands) {
    AsyncCommand<String, String, List<Object>> bySha = command.build(batch, i, true);
    commands.add(bySha);
    return bySha
        .handle(
            (r, e) -> {
              if (e == null || !isNoScript(e)) {
                return bySha;
              }
              AsyncCommand<String, String, List<Object>> eval = command.build(batch, i, false);
              c.dispatch(eval);
              return (CompletableFuture<List<Object>>) eval;
            })
        .thenCompose(f -> f);
  }

  /** The bucket's refill-and-take; one key, so any cluster node that owns it can run it. */
  private static AsyncCommand<String, String, List<Object>> bucketScript(
      CounterBatch batch, int i, boolean bySha) {
    CommandArgs<String, String> args =
        new CommandArgs<>(CODEC)
            .add(bySha ? BUCKET_SHA : BUCKET_SCRIPT)
            .add(1)
            .addKey(batch.key(i))
            .add(batch.hits(i))
            .add(batch.ttlSeconds(i))
            .add(batch.rate(i))
            .add(batch.limit(i))
            .add(batch.nowMillis(i))
            .add(TokenBucket.grainMillis(batch.windowSeconds(i)));
    return new AsyncCommand<>(
        new Command<>(
            bySha ? CommandType.EVALSHA : CommandType.EVAL, new ArrayOutput<>(CODEC), args));
  }

  private long jitter() {
    return jitterMaxSeconds > 0 ? ThreadLocalRandom.current().nextLong(jitterMaxSeconds) : 0;
  }

  private static boolean isNoScript(Throwable e) {
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return t instanceof RedisNoScriptException
        || String.valueOf(t.getMessage()).startsWith("NOSCRIPT");
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean connected() {
    StatefulConnection<String, String> c = connection;
    return c != null && c.isOpen();
  }

  @Override
  public void close() {
    closed = true;
    connector.shutdownNow();
    StatefulConnection<String, String> c = connection;
    if (c != null) {
      c.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
