import type { Migration } from './migration.js'

// What tickets hang on (customers, sites, contracts, asset records) and the tickets themselves,
// with what the rule engine must share between collectors (condition state, outbox). Plain SQL
// only: identical on TimescaleDB, PostgreSQL 15 and PGlite.
export const tickets: Migration = {
  id: 2,
  name: 'tickets',
  sql: /* sql */ `
    -- DOMAIN.md: group customers (集团用户), members (会员用户), free users (免费用户).
    create table customer (
      id text primary key,
      name text not null,
      class text not null default 'member' check (class in ('group', 'member', 'free')),
      contact_email text,
      engineer text,                                   -- the dedicated engineer (技术接口人)
      language text not null default 'zh-CN' check (language in ('zh-CN', 'en')),  -- of its reports
      time_zone text not null default 'Asia/Shanghai',  -- IANA zone its reports and calendars use
      created_at timestamptz not null default now()
    );

    create table site (
      customer_id text not null references customer (id) on delete cascade,
      id text not null,
      name text not null,
      address text,
      distance_km double precision check (distance_km >= 0),  -- on-site promises grow with distance
      primary key (customer_id, id)
    );

    -- The asset record. customer/site still come from the MQTT topic; assigned_at null means the
    -- device reported before anyone assigned it: the "unassigned" queue.
    alter table device
      add column category text,                        -- pc | printer | server-windows | server-unix | network-core | network-access | ups | other
      add column asset_tag text,
      add column criticality text not null default 'normal' check (criticality in ('low', 'normal', 'high', 'critical')),
      add column warranty_end date,
      add column model text,
      add column serial text,
      add column maintained_by text,
      add column parent_device_id text,                -- the switch or poller it is reached through (dependencies)
      add column important_ports text[],               -- switch ports whose loss is a fault
      add column assigned_at timestamptz;
    create index device_unassigned on device (first_seen) where assigned_at is null;

    create table contract (
      id text primary key,
      customer_id text not null references customer (id) on delete cascade,
      name text not null,
      valid_from date not null,
      valid_to date not null,
      calendar jsonb not null,                         -- tickets/sla/calendar.ts ServiceCalendar
      targets jsonb not null,                          -- per level L1..L4: responseMin, onsiteMin, resolveMin
      escalation_contacts jsonb not null default '[]'::jsonb,
      check (valid_to >= valid_from)
    );
    create index contract_customer on contract (customer_id, valid_from);

    create table ticket (
      id bigserial primary key,
      device_id text not null,
      customer text not null,
      site text not null,
      rule_id text not null,
      problem_key text not null,                       -- rule id + instance: what "the same problem" means
      status text not null default 'open' check (status in ('open', 'acknowledged', 'in_progress', 'resolved', 'closed')),
      level text not null check (level in ('L1', 'L2', 'L3', 'L4')),
      initial_level text not null,
      title text not null,
      opened_at timestamptz not null,
      acknowledged_at timestamptz,
      in_progress_at timestamptz,
      resolved_at timestamptz,
      closed_at timestamptz,
      condition_cleared_at timestamptz,                -- the rule saw the fault go away
      last_occurrence_at timestamptz not null,
      occurrences integer not null default 1,
      assignee text,
      flapping boolean not null default false,
      repeat_count integer not null default 0,         -- earlier resolved tickets of this device and problem
      dependents text[] not null default '{}',         -- devices behind this one that are down with it
      diagnostics jsonb not null default '{}'::jsonb,
      contract_id text,
      outside_contract boolean not null default false,
      outside_warranty boolean not null default false,
      response_due timestamptz,
      onsite_due timestamptz,
      resolve_due timestamptz,
      waiting_since timestamptz,                       -- waiting on the customer: SLA clocks paused
      paused_business_ms bigint not null default 0,
      escalation_stage integer not null default 0,     -- 0 none, 1 approaching, 2 breached
      problem_type text,
      cause text,
      method text,
      loss text,
      external_ref text
    );
    -- The de-duplication guarantee: at most one unresolved ticket per device and problem, whatever
    -- number of collectors race on it.
    create unique index ticket_one_open on ticket (device_id, problem_key) where status in ('open', 'acknowledged', 'in_progress');
    create index ticket_status on ticket (status, opened_at desc);
    create index ticket_device on ticket (device_id, problem_key, resolved_at);

    -- History and comments of a ticket.
    create table ticket_event (
      id bigserial primary key,
      ticket_id bigint not null references ticket (id) on delete cascade,
      time timestamptz not null default now(),
      kind text not null,
      actor text,
      text text,
      data jsonb
    );
    create index ticket_event_ticket on ticket_event (ticket_id, id);

    -- Hysteresis and flapping memory per device and problem, shared by every collector.
    create table rule_condition (
      device_id text not null,
      problem_key text not null,
      rule_id text not null,
      active boolean not null,                         -- the rule's condition, as last evaluated
      since timestamptz not null,                      -- when it took that value
      last_finding jsonb,
      flips timestamptz[] not null default '{}',       -- recent changes, for flapping
      evaluated_at timestamptz not null,
      primary key (device_id, problem_key)
    );

    create table rule_override (
      scope text not null check (scope in ('customer', 'site', 'device')),
      scope_id text not null,                          -- customer id, "customer/site", or device id
      rule_id text not null,
      enabled boolean not null default true,
      params jsonb not null default '{}'::jsonb,
      primary key (scope, scope_id, rule_id)
    );

    create table maintenance_window (
      id bigserial primary key,
      customer text not null,
      site text,                                       -- null: the whole customer
      device_id text,                                  -- null: the whole site
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      reason text not null,
      check (ends_at > starts_at)
    );
    create index maintenance_window_active on maintenance_window (customer, ends_at);

    create table notification_target (
      id bigserial primary key,
      kind text not null check (kind in ('webhook', 'email', 'external')),
      customer text,                                   -- null: every customer
      config jsonb not null,                           -- webhook: url, secret; email: to; external: url, token
      enabled boolean not null default true
    );

    -- The outbox: written in the transaction that changes the ticket, sent afterwards, retried
    -- with backoff. (target, event_key) unique: one event is queued once per target.
    create table notification_outbox (
      id bigserial primary key,
      target_id bigint not null references notification_target (id) on delete cascade,
      event_key text not null,
      ticket_id bigint,
      payload jsonb not null,
      created_at timestamptz not null default now(),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      leased_until timestamptz,
      sent_at timestamptz,
      last_error text,
      unique (target_id, event_key)
    );
    create index notification_outbox_due on notification_outbox (next_attempt_at) where sent_at is null;
  `,
}
