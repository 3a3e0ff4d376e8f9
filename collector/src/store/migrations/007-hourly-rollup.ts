import type { Migration } from './migration.js'

// Hourly aggregates that are stored, on the databases without continuous aggregates (plain
// PostgreSQL, the embedded database in a folder). Until now metric_hourly was there a view that
// grouped the raw readings whenever it was read: a quarter's report at one-minute resolution
// grouped 270 million readings, and hourly data vanished with the raw readings (hourly retention
// meant nothing). Now the collector keeps the rollup itself (store/hourly-rollup.ts) and
// metric_hourly reads it, exactly like TimescaleDB's real-time continuous aggregate:
// - hours before `rolled_until` come from metric_hourly_rollup, except hours marked stale (a
//   reading arrived after the hour was rolled: an agent replaying its spool), which are grouped
//   from the raw readings until the next maintenance round recomputes them;
// - hours from `rolled_until` on are grouped from the raw readings when read (the last two or
//   three hours, as the rollup stays two hours behind so a writing transaction never straddles it).
// So the view is always exact, whatever the maintenance round has done so far. Buckets use
// date_bin with TimescaleDB's origin, the same hours as time_bucket.
//
// On plain PostgreSQL metric_sample also gets an index on time: rolling an hour, the raw tail,
// and retention's delete all select by time, which without it is a scan of every reading kept.
export const hourlyRollup: Migration = {
  id: 7,
  name: 'hourly-rollup',
  sql: '',
  plain: /* sql */ `
    create index metric_sample_time on metric_sample (time);
  `,
  withoutTsl: /* sql */ `
    create table metric_hourly_rollup (
      bucket timestamptz not null,
      device_id text not null,
      metric text not null,
      instance text not null,
      avg double precision not null,
      min double precision not null,
      max double precision not null,
      samples integer not null,
      primary key (device_id, metric, instance, bucket)
    );
    -- Written in bucket order, read and deleted by bucket range: a block-range index is enough.
    create index metric_hourly_rollup_bucket on metric_hourly_rollup using brin (bucket);

    -- One row: every hour before rolled_until is in the rollup (or marked stale).
    create table metric_hourly_progress (
      only_row boolean primary key default true check (only_row),
      rolled_until timestamptz not null default '-infinity',
      updated_at timestamptz not null default now()
    );
    insert into metric_hourly_progress default values;

    -- Hours before rolled_until that got readings after they were rolled (ingest marks them).
    create table metric_hourly_stale (
      bucket timestamptz primary key,
      marked_at timestamptz not null default now()
    );

    drop view metric_hourly;
    create view metric_hourly as
      select r.bucket, r.device_id, r.metric, r.instance, r.avg, r.min, r.max, r.samples::bigint as samples
        from metric_hourly_rollup r
       where r.bucket < (select rolled_until from metric_hourly_progress)
         and not exists (select 1 from metric_hourly_stale s where s.bucket = r.bucket)
      union all
      select date_bin('1 hour', m.time, timestamptz '2000-01-03 00:00:00+00') as bucket, m.device_id, m.metric, m.instance,
             avg(m.value) as avg, min(m.value) as min, max(m.value) as max, count(*) as samples
        from metric_sample m
       where m.time >= (select rolled_until from metric_hourly_progress)
       group by 1, 2, 3, 4
      union all
      -- LATERAL: driven by the stale hours (usually none), whatever the planner guesses of them;
      -- a plain join let it read every raw reading of the devices asked for and join afterwards.
      select s.bucket, g.device_id, g.metric, g.instance, g.avg, g.min, g.max, g.samples
        from metric_hourly_stale s
        cross join lateral (
          select m.device_id, m.metric, m.instance, avg(m.value) as avg, min(m.value) as min, max(m.value) as max, count(*) as samples
            from metric_sample m
           where m.time >= s.bucket and m.time < s.bucket + interval '1 hour'
           group by 1, 2, 3) g
       where s.bucket < (select rolled_until from metric_hourly_progress);
  `,
}
