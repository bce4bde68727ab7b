package io.tollgate.controlplane.stats;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.DataFormatException;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The stored statistics, over plain JDBC: bulk additive upserts and GROUP BY sums are what this
 * needs, and entities would add nothing. Counters are upserted additively ({@code ON CONFLICT DO
 * UPDATE SET n = t.n + excluded.n} on PostgreSQL, {@code MERGE} on H2), so concurrent replicas sum
 * without reading first. The latency histogram cannot be added in SQL: it is merged under the row
 * lock the counter upsert already took, in the same transaction. Rows are written in one fixed
 * order so two replicas cannot deadlock; a lost race is retried.
 */
@Repository
public class StatsStore {

  /** Seconds in a minute row and in an hourly rollup. */
  public static final int MINUTE = 60;

  public static final int HOUR = 3600;

  private static final int ATTEMPTS = 3;

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final String upsertTotal;
  private final String upsertKey;

  StatsStore(DataSource dataSource, PlatformTransactionManager transactions) {
    this.jdbc = new JdbcTemplate(dataSource);
    this.jdbc.setQueryTimeout(30);
    this.tx = new TransactionTemplate(transactions);
    boolean postgres = isPostgres(dataSource);
    this.upsertTotal =
        postgres
            ? "insert into stats_total (resolution_s, bucket_start, requests, rate_limited)"
                + " values (?, ?, ?, ?) on conflict (resolution_s, bucket_start) do update set"
                + " requests = stats_total.requests + excluded.requests,"
                + " rate_limited = stats_total.rate_limited + excluded.rate_limited"
            : "merge into stats_total t using (values (cast(? as integer), cast(? as bigint),"
                + " cast(? as bigint), cast(? as bigint))) s(resolution_s, bucket_start, requests,"
                + " rate_limited) on t.resolution_s = s.resolution_s and t.bucket_start ="
                + " s.bucket_start when matched then update set requests = t.requests +"
                + " s.requests, rate_limited = t.rate_limited + s.rate_limited when not matched"
                + " then insert (resolution_s, bucket_start, requests, rate_limited) values"
                + " (s.resolution_s, s.bucket_start, s.requests, s.rate_limited)";
    this.upsertKey =
        postgres
            ? "insert into stats_key (resolution_s, dimension, bucket_start, dim_key, requests,"
                + " rate_limited) values (?, ?, ?, ?, ?, ?) on conflict (resolution_s,"
                + " dimension, bucket_start, dim_key) do update set requests = stats_key.requests"
                + " + excluded.requests, rate_limited = stats_key.rate_limited +"
                + " excluded.rate_limited"
            : "merge into stats_key t using (values (cast(? as integer), cast(? as varchar),"
                + " cast(? as bigint), cast(? as varchar), cast(? as bigint), cast(? as bigint)))"
                + " s(resolution_s, dimension, bucket_start, dim_key, requests, rate_limited) on"
                + " t.resolution_s = s.resolution_s and t.dimension = s.dimension and"
                + " t.bucket_start = s.bucket_start and t.dim_key = s.dim_key when matched then"
                + " update set requests = t.requests + s.requests, rate_limited = t.rate_limited"
                + " + s.rate_limited when not matched then insert (resolution_s, dimension,"
                + " bucket_start, dim_key, requests, rate_limited) values (s.resolution_s,"
                + " s.dimension, s.bucket_start, s.dim_key, s.requests, s.rate_limited)";
  }

  /** One stored minute or hour. */
  public record TotalRow(long bucketStart, long requests, long rateLimited, Histogram latency) {}

  /** Adds one minute to its minute row and to its hour's rollup, in one transaction. */
  public void addMinute(long minuteStartMillis, Aggregate minute) {
    long minuteStart = minuteStartMillis / 1000;
    List<Object[]> keyRows = new ArrayList<>();
    for (Dimension d : Dimension.values()) {
      minute.keys(d).stream()
          .sorted(Comparator.comparing(KeyCount::key))
          .forEach(k -> keyRows.add(new Object[] {d.key(), k}));
    }
    byte[] latency = encode(minute.latency());
    for (int attempt = 1; ; attempt++) {
      try {
        tx.executeWithoutResult(
            status -> {
              for (int resolution : new int[] {MINUTE, HOUR}) {
                long start = minuteStart - Math.floorMod(minuteStart, resolution);
                addTotal(resolution, start, minute, latency);
                jdbc.batchUpdate(
                    upsertKey,
                    keyRows.stream()
                        .map(
                            r -> {
                              KeyCount k = (KeyCount) r[1];
                              return new Object[] {
                                resolution, r[0], start, k.key(), k.requests(), k.rateLimited()
                              };
                            })
                        .toList());
              }
            });
        return;
      } catch (ConcurrencyFailureException e) {
        if (attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private void addTotal(int resolution, long start, Aggregate minute, byte[] latency) {
    jdbc.update(upsertTotal, resolution, start, minute.requests(), minute.rateLimited());
    // The upsert holds the row lock until commit; FOR UPDATE states it for the reader.
    byte[] stored =
        jdbc.queryForObject(
            "select latency_hdr from stats_total where resolution_s = ? and bucket_start = ?"
                + " for update",
            (rs, i) -> rs.getBytes(1),
            resolution,
            start);
    byte[] merged = latency;
    if (stored != null) {
      Histogram h = decode(stored);
      h.add(minute.latency());
      merged = encode(h);
    }
    jdbc.update(
        "update stats_total set latency_hdr = ? where resolution_s = ? and bucket_start = ?",
        merged,
        resolution,
        start);
  }

  /** Stored totals with bucket start in [from, to), epoch seconds, oldest first. */
  public List<TotalRow> totals(int resolution, long from, long to) {
    return jdbc.query(
        "select bucket_start, requests, rate_limited, latency_hdr from stats_total where"
            + " resolution_s = ? and bucket_start >= ? and bucket_start < ? order by bucket_start",
        (rs, i) -> {
          byte[] hdr = rs.getBytes(4);
          return new TotalRow(
              rs.getLong(1),
              rs.getLong(2),
              rs.getLong(3),
              hdr == null ? Aggregate.newLatencyHistogram() : decode(hdr));
        },
        resolution,
        from,
        to);
  }

  /** Per key of a dimension, the sums over [from, to), most requests first, at most {@code max}. */
  public Map<String, long[]> keySums(
      int resolution, Dimension dimension, long from, long to, int max) {
    Map<String, long[]> out = new LinkedHashMap<>();
    jdbc.query(
        "select dim_key, sum(requests) as n, sum(rate_limited) from stats_key where"
            + " resolution_s = ? and dimension = ? and bucket_start >= ? and bucket_start < ?"
            + " group by dim_key order by n desc, dim_key limit ?",
        rs -> {
          out.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
        },
        resolution,
        dimension.key(),
        from,
        to,
        max);
    return out;
  }

  /** Per bucket, the counts of one key in [from, to): bucket start -> {requests, rateLimited}. */
  public Map<Long, long[]> keySeries(
      int resolution, Dimension dimension, String key, long from, long to) {
    Map<Long, long[]> out = new LinkedHashMap<>();
    jdbc.query(
        "select bucket_start, requests, rate_limited from stats_key where resolution_s = ? and"
            + " dimension = ? and dim_key = ? and bucket_start >= ? and bucket_start < ?"
            + " order by bucket_start",
        rs -> {
          out.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3)});
        },
        resolution,
        dimension.key(),
        key,
        from,
        to);
    return out;
  }

  /** Deletes rows of a resolution older than {@code before} (epoch seconds); returns how many. */
  public int deleteBefore(int resolution, long before) {
    return jdbc.update(
            "delete from stats_key where resolution_s = ? and bucket_start < ?", resolution, before)
        + jdbc.update(
            "delete from stats_total where resolution_s = ? and bucket_start < ?",
            resolution,
            before);
  }

  static byte[] encode(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoCompressedByteBuffer(buffer);
    return Arrays.copyOf(buffer.array(), length);
  }

  static Histogram decode(byte[] bytes) {
    try {
      Histogram stored = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
      Histogram h = Aggregate.newLatencyHistogram();
      h.add(stored);
      return h;
    } catch (DataFormatException e) {
      throw new IllegalStateException("corrupt latency histogram in stats_total", e);
    }
  }

  private static boolean isPostgres(DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      return c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot reach the statistics database", e);
    }
  }
}
