import type { Migration } from './migration.js'

// Agent enrollment: site enrollment tokens an administrator hands out, and the per-device MQTT
// credentials an agent gets for one. Only one-way forms of secrets are stored: the token's
// SHA-256, and each password twice (scrypt for the embedded broker, Mosquitto's PBKDF2 `$7$` for
// the generated password file), so the Mosquitto files can be regenerated without clear passwords.
// No foreign key to customer/site: devices may report before anyone created their customer, and
// a token names the customer/site its devices are bound to either way.
export const enrollment: Migration = {
  id: 4,
  name: 'enrollment',
  sql: /* sql */ `
    create table enrollment_token (
      id text primary key,
      customer_id text not null,
      site_id text not null,
      token_hash text not null unique,
      prefix text not null,                               -- first characters, to recognise a token in lists
      created_by text,                                    -- user id of the administrator
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      max_uses integer check (max_uses is null or max_uses > 0),  -- null: until it expires
      uses integer not null default 0,
      revoked_at timestamptz,
      note text,
      role text not null default 'agent' check (role in ('agent', 'poller'))  -- of the credentials it gives
    );
    create index enrollment_token_site on enrollment_token (customer_id, site_id);

    create table device_credential (
      id text primary key,
      device_id text not null,
      customer text not null,
      site text not null,
      username text not null unique,
      password_hash text not null,                        -- scrypt$N$r$p$salt$hash
      mosquitto_hash text not null,                       -- $7$iterations$salt$hash
      role text not null default 'agent' check (role in ('agent', 'poller')),
      created_at timestamptz not null default now(),
      enrolled_via text references enrollment_token (id) on delete set null,
      last_connected_at timestamptz,
      revoked_at timestamptz
    );
    -- A device has at most one live credential; re-enrolling revokes the old one in the same transaction.
    create unique index device_credential_active on device_credential (device_id) where revoked_at is null;
    create index device_credential_customer on device_credential (customer, site);
  `,
}
