-- Access-log statistics. Minute rows (resolution_s = 60) and hourly rollups (resolution_s = 3600)
-- are written as additive upserts, so several control-plane replicas sharing this database sum
-- correctly. Times are epoch seconds (UTC) of the start of the minute or hour.

create table stats_total (
  resolution_s integer not null,
  bucket_start bigint not null,
  requests bigint not null,
  rate_limited bigint not null,
  -- HdrHistogram compressed encoding of latencies in microseconds; merged under the row lock.
  latency_hdr bytea,
  primary key (resolution_s, bucket_start)
);

-- Per dimension (status, method, path, ip, upstream, rule) the top keys of each minute or hour;
-- the rest of that minute or hour is the key '(other)'.
create table stats_key (
  resolution_s integer not null,
  dimension varchar(16) not null,
  bucket_start bigint not null,
  dim_key varchar(300) not null,
  requests bigint not null,
  rate_limited bigint not null,
  primary key (resolution_s, dimension, bucket_start, dim_key)
);

create index stats_key_series on stats_key (resolution_s, dimension, dim_key, bucket_start);
