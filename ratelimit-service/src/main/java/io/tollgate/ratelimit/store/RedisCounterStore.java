package io.tollgate.ratelimit.store;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.StringCodec;
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
import io.tollgate.ratelimit.Settings;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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

  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final ScheduledExecutorService connector;
  private volatile StatefulConnection<String, String> connection;
  private volatile boolean closed;

  public RedisCounterStore(Settings.Redis settings) {
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
    StatefulConnection<String, String> c = connection;
    if (c == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("not connected to Redis"));
    }
    int n = batch.size();
    List<RedisCommand<String, String, ?>> commands = new ArrayList<>(n * 3);
    @SuppressWarnings("unchecked")
    AsyncCommand<String, String, Long>[] increments = new AsyncCommand[n];
    @SuppressWarnings("unchecked")
    AsyncCommand<String, String, String>[] reads = new AsyncCommand[n];
    List<CompletableFuture<?>> all = new ArrayList<>(n * 3);
    for (int i = 0; i < n; i++) {
      String key = batch.key(i);
      increments[i] =
          new AsyncCommand<>(
              new Command<>(
                  CommandType.INCRBY,
                  new IntegerOutput<>(CODEC),
                  new CommandArgs<>(CODEC).addKey(key).add(batch.hits(i))));
      AsyncCommand<String, String, Boolean> expire =
          new AsyncCommand<>(
              new Command<>(
                  CommandType.EXPIRE,
                  new BooleanOutput<>(CODEC),
                  new CommandArgs<>(CODEC).addKey(key).add(batch.ttlSeconds(i))));
      commands.add(increments[i]);
      commands.add(expire);
      all.add(increments[i]);
      all.add(expire);
      String previous = batch.previousKey(i);
      if (previous != null) {
        reads[i] =
            new AsyncCommand<>(
                new Command<>(
                    CommandType.GET,
                    new ValueOutput<>(CODEC),
                    new CommandArgs<>(CODEC).addKey(previous)));
        commands.add(reads[i]);
        all.add(reads[i]);
      }
    }
    c.dispatch(commands);
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenRun(
            () -> {
              for (int i = 0; i < n; i++) {
                batch.setCount(i, increments[i].join());
                if (reads[i] != null) {
                  String v = reads[i].join();
                  batch.setPreviousCount(i, v == null ? 0 : Long.parseLong(v));
                }
              }
            });
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
