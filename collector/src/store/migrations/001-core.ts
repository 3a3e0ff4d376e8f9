import type { Migration } from './migration.js'

// Tables are named after what one row is. Time columns are `time` (when it was measured, on the
// collector's clock after correction), never the time of arrival, except where said.
export const core: Migration = {
  id: 1,
  name: 'core',
  sql: /* sql */ `
    create table device (
      id text primary key,
      customer text not null,
      site text not null,
      kind text not null default 'agent',          -- agent | snmp | ping: how it reports
      hostname text,
      first_seen timestamptz not null default now(),
      last_seen timestamptz,                         -- newest reading or message
      status text not null default 'unknown',        -- online | offline | unknown
      status_reason text,
      status_changed_at timestamptz,
      report_interval_s integer,
      producer text,
      clock_offset_ms bigint,                        -- last correction applied to its clock
      inventory jsonb,
      inventory_hash text,
      inventory_at timestamptz,
      state jsonb,                                   -- latest structured poll state (printer, ups, interfaces)
      config jsonb,                                  -- the configuration last pushed to it (agents, pollers)
      latest jsonb not null default '{}'::jsonb      -- "metric|instance" -> [epoch ms, value]; a cache, refreshed every few seconds
    );
    create index device_customer_site on device (customer, site);

    -- Batch ids already stored: a replayed batch (same id) adds nothing. Pruned after the replay window.
    create table ingested_batch (
      batch_id uuid primary key,
      device_id text not null,
      kind text not null,
      received_at timestamptz not null default now(),
      rows integer not null,
      clock_offset_ms bigint
    );
    create index ingested_batch_received_at on ingested_batch (received_at);

    -- Every message refused at the door, with why, so nothing disappears silently.
    create table rejected_message (
      id bigserial primary key,
      received_at timestamptz not null default now(),
      topic text not null,
      code text not null,
      reason text not null,
      device_id text,
      payload_bytes integer not null,
      payload bytea                                   -- the first 64 KiB
    );
    create index rejected_message_received_at on rejected_message (received_at);

    create table metric_sample (
      time timestamptz not null,
      device_id text not null,
      metric text not null,
      instance text not null default '',
      value double precision not null
    );
    -- Unique so a replay that slipped past the batch window still cannot double a reading.
    create unique index metric_sample_series on metric_sample (device_id, metric, instance, time desc);

    create table device_status_change (
      time timestamptz not null,
      device_id text not null,
      state text not null,
      reason text
    );
    create index device_status_change_device on device_status_change (device_id, time desc);

    create table device_event (
      time timestamptz not null,
      device_id text not null,
      severity text not null,
      code text not null,
      message text not null,
      source text,
      data jsonb
    );
    create index device_event_device on device_event (device_id, time desc);

    create table inventory_snapshot (
      time timestamptz not null,
      device_id text not null,
      hash text not null,
      inventory jsonb not null
    );
    create index inventory_snapshot_device on inventory_snapshot (device_id, time desc);
  `,
  hypertables: /* sql */ `
    select create_hypertable('metric_sample', 'time', chunk_time_interval => interval '1 day', if_not_exists => true);
    select create_hypertable('device_status_change', 'time', chunk_time_interval => interval '30 days', if_not_exists => true);
    select create_hypertable('device_event', 'time', chunk_time_interval => interval '7 days', if_not_exists => true);
  `,
  tsl: /* sql */ `
    alter table metric_sample set (
      timescaledb.compress,
      timescaledb.compress_segmentby = 'device_id, metric',
      timescaledb.compress_orderby = 'instance, time desc'
    );
    create materialized view metric_hourly
      with (timescaledb.continuous, timescaledb.materialized_only = false) as
      select time_bucket('1 hour', time) as bucket, device_id, metric, instance,
             avg(value) as avg, min(value) as min, max(value) as max, count(*) as samples
      from metric_sample
      group by 1, 2, 3, 4
      with no data;
  `,
  withoutTsl: /* sql */ `
    create view metric_hourly as
      select time_bucket('1 hour', time) as bucket, device_id, metric, instance,
             avg(value) as avg, min(value) as min, max(value) as max, count(*) as samples
      from metric_sample
      group by 1, 2, 3, 4;
  `,
  plain: /* sql */ `
    -- TimescaleDB's time_bucket for fixed-width buckets, aligned like TimescaleDB's (origin
    -- 2000-01-03, a Monday, so weeks start on Monday). Month-wide buckets are not fixed-width
    -- and are not supported by this shim.
    create or replace function time_bucket(bucket_width interval, ts timestamptz) returns timestamptz
      language sql immutable parallel safe as $$
        select to_timestamp(
          floor((extract(epoch from ts) - 946857600) / extract(epoch from bucket_width))
          * extract(epoch from bucket_width) + 946857600)
      $$;
  `,
}
