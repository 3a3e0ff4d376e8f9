import type { Migration } from './migration.js'

// Who may use the API and the console, what they may see, and what they changed. Plain SQL only:
// identical on TimescaleDB, PostgreSQL 15 and PGlite. Secrets (session cookies, API tokens) are
// stored only as their SHA-256, so a copy of the database signs nobody in.
export const accounts: Migration = {
  id: 3,
  name: 'accounts',
  sql: /* sql */ `
    create table app_user (
      id text primary key,
      username text not null,
      display_name text not null default '',
      password_hash text not null,                     -- scrypt$N$r$p$salt$hash (auth/passwords.ts)
      role text not null check (role in ('viewer', 'engineer', 'manager', 'admin')),
      language text not null default 'zh-CN' check (language in ('zh-CN', 'en')),
      disabled_at timestamptz,                         -- set: cannot sign in; sessions and tokens stop working
      created_at timestamptz not null default now(),
      password_changed_at timestamptz not null default now(),
      check (username ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$')
    );
    -- "Alice" and "alice" are one account.
    create unique index app_user_username on app_user (lower(username));

    -- Engineers' assigned customers, and a viewer's own customer. Managers and admins see all.
    create table user_customer (
      user_id text not null references app_user (id) on delete cascade,
      customer_id text not null references customer (id) on delete cascade,
      primary key (user_id, customer_id)
    );
    create index user_customer_customer on user_customer (customer_id);

    create table user_session (
      id text primary key,                             -- sha256 (hex) of the cookie's secret
      user_id text not null references app_user (id) on delete cascade,
      csrf_token text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,                 -- slides with use, never past created_at + the absolute maximum
      last_seen_at timestamptz not null default now(),
      ip text,
      user_agent text
    );
    create index user_session_user on user_session (user_id);
    create index user_session_expires on user_session (expires_at);

    create table api_token (
      id text primary key,
      user_id text not null references app_user (id) on delete cascade,
      name text not null,
      token_hash text not null unique,                 -- sha256 (hex) of the whole token
      prefix text not null,                            -- first characters, to recognise a token in a list
      created_at timestamptz not null default now(),
      last_used_at timestamptz,                        -- updated at most once a minute
      expires_at timestamptz,
      revoked_at timestamptz
    );
    create index api_token_user on api_token (user_id);

    create table audit_log (
      id bigserial primary key,
      at timestamptz not null default now(),
      user_id text,                                    -- no foreign key: the record outlives the account
      username text,
      via text,                                        -- session | token | null (failed login)
      action text not null,                            -- e.g. "POST /api/tickets/:id/acknowledge", "login", "login-failed"
      method text,
      route text,
      target_type text,
      target_id text,
      customer_id text,
      status integer,
      details jsonb,
      ip text
    );
    create index audit_log_at on audit_log (at desc);
    create index audit_log_user on audit_log (user_id, at desc);
    create index audit_log_customer on audit_log (customer_id, at desc);
  `,
}
