import type { Migration } from './migration.js'

// The customer's report archive (维护档案) and the inspection records engineers save on site.
// Report files live in the database, not on a collector's disk: several collectors serve the same
// archive, and a database backup is a backup of every report ever sent. Plain SQL only.
export const reports: Migration = {
  id: 5,
  name: 'reports',
  sql: /* sql */ `
    -- Who receives the quarterly report; empty or null: the customer's contact_email.
    alter table customer add column report_recipients text[];

    create table report_archive (
      id uuid primary key,
      customer_id text not null,                       -- no foreign key: an archive outlives a customer record
      site_id text,                                    -- null: the whole customer
      period_label text not null,                      -- "2026Q3", or "2026-07-01 – 2026-07-31"
      period_from timestamptz not null,
      period_to timestamptz not null,
      lang text not null check (lang in ('zh-CN', 'en')),
      time_zone text not null,
      version integer not null check (version >= 1),  -- 1, 2, … per customer + site + period + lang
      status text not null default 'draft' check (status in ('draft', 'issued')),
      issued_at timestamptz,
      issued_by text,
      generated_at timestamptz not null,
      generated_by text not null,                      -- a username, or 'scheduler'
      trigger text not null check (trigger in ('scheduled', 'api', 'cli')),
      grade text,
      devices integer not null default 0,
      html text not null,
      html_bytes integer not null,
      html_sha256 text not null,
      pdf bytea,
      pdf_bytes integer,
      pdf_sha256 text,
      pdf_missing text,                                -- why there is no PDF, and how to get one
      pdf_pages integer,
      findings jsonb not null default '[]'::jsonb,     -- the findings as printed (after edits)
      edits jsonb,                                     -- the engineer's edits that were applied
      -- E-mail delivery: wanted when email_next_at is set; sent when emailed_at is.
      emailed_at timestamptz,
      emailed_to text[],
      email_attempts integer not null default 0,
      email_next_at timestamptz,
      email_error text,
      check (period_to > period_from),
      check ((pdf is null) = (pdf_missing is not null))
    );
    create unique index report_archive_version on report_archive (customer_id, coalesce(site_id, ''), period_label, lang, version);
    -- The scheduler's idempotency, enforced by the database too: one scheduled report per period.
    create unique index report_archive_scheduled on report_archive (customer_id, period_label, lang) where trigger = 'scheduled' and site_id is null;
    create index report_archive_newest on report_archive (customer_id, generated_at desc);
    create index report_archive_mail_due on report_archive (email_next_at) where email_next_at is not null and emailed_at is null;

    -- The pre-inspection review's checklist, ticked on site and saved back.
    create table inspection (
      id uuid primary key,
      customer_id text not null,
      site_id text not null,
      engineer text not null,                          -- username of whoever saved it
      engineer_user_id text,
      visited_at timestamptz not null,
      items jsonb not null,                            -- [{ item, done, notes? }]
      notes text,
      created_at timestamptz not null default now(),
      foreign key (customer_id, site_id) references site (customer_id, id) on delete cascade
    );
    create index inspection_site on inspection (customer_id, site_id, visited_at desc);
  `,
}
