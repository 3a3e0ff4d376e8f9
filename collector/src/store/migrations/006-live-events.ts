import type { Migration } from './migration.js'

// Live events for the console (collector/src/live/): every ticket event row and every change of a
// device's online state sends a small NOTIFY on channel `patrol_live`, from a trigger, so that
// - whatever makes the change (the rule engine, escalation, an engineer through the API, ingest)
//   and whichever collector runs it, every collector on the database hears it;
// - it is sent only when the change commits (NOTIFY is transactional): no event for a rolled-back
//   flush or a ticket that lost a race;
// - the same SQL runs on PostgreSQL and on the embedded PGlite (which delivers NOTIFY in-process).
// The payload stays far below NOTIFY's 8000-byte limit (a longer one would abort the writing
// transaction): ids are at most 64 characters by the wire contract, and every text is cut anyway.
// `schema` lets a listener ignore collectors of other schemas on the same server (tests share one).
export const liveEvents: Migration = {
  id: 6,
  name: 'live-events',
  sql: /* sql */ `
    create function patrol_live_ticket_event() returns trigger language plpgsql as $$
    declare
      t record;
    begin
      select id, device_id, customer, site, level, status, title into t from ticket where id = new.ticket_id;
      if found then
        perform pg_notify('patrol_live', json_build_object(
          'type', 'ticket', 'schema', TG_TABLE_SCHEMA, 'id', t.id,
          'customer', left(t.customer, 200), 'site', left(t.site, 200), 'deviceId', left(t.device_id, 200),
          'level', t.level, 'state', t.status, 'kind', left(new.kind, 40), 'title', left(t.title, 200),
          'at', floor(extract(epoch from new.time) * 1000))::text);
      end if;
      return null;
    end $$;
    create trigger ticket_event_live after insert on ticket_event
      for each row execute function patrol_live_ticket_event();

    create function patrol_live_device_status() returns trigger language plpgsql as $$
    begin
      perform pg_notify('patrol_live', json_build_object(
        'type', 'device', 'schema', TG_TABLE_SCHEMA, 'id', left(new.id, 200),
        'customer', left(new.customer, 200), 'site', left(new.site, 200), 'deviceId', left(new.id, 200),
        'status', new.status, 'reason', left(new.status_reason, 200),
        'at', floor(extract(epoch from coalesce(new.status_changed_at, now())) * 1000))::text);
      return null;
    end $$;
    create trigger device_status_live after update of status on device
      for each row when (old.status is distinct from new.status) execute function patrol_live_device_status();
  `,
}
