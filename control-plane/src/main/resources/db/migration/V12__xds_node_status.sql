-- The xDS clients (Envoys, rate-limit services) each control-plane replica serves or served, so
-- GET /api/v1/limits/status lists every node across replicas sharing this database and across
-- restarts. One row per node id and replica; the replica refreshes last_seen of its connected rows
-- (epoch milliseconds), so a row of a replica that died shows as stale. Portable: H2 and PostgreSQL.
-- Version 12, not 3: leaves room for the next plain numbers other branches may add meanwhile.
create table xds_node_status (
  node_id varchar(256) not null,
  replica varchar(255) not null,
  kind varchar(16) not null,
  cluster varchar(256) not null,
  connected boolean not null,
  last_seen bigint not null,
  acked_version varchar(256),
  acked_rules_version bigint,
  acked_at bigint,
  last_rejection varchar(2048),
  primary key (node_id, replica)
);
