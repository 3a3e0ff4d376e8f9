/** Accounts: create, find, change password, assign customers, disable. */
import { randomUUID } from 'node:crypto'
import type { Queryable } from '../store/db.js'
import type { Role } from '../api/auth/principal.js'
import { hashPassword } from './passwords.js'

export interface UserRow {
  id: string
  username: string
  display_name: string
  password_hash: string
  role: Role
  language: 'zh-CN' | 'en'
  disabled_at: Date | null
  created_at: Date
  password_changed_at: Date
}

export interface NewUser {
  username: string
  password: string
  role: Role
  displayName?: string | undefined
  language?: 'zh-CN' | 'en' | undefined
  /** Customers an engineer is assigned to, or a viewer's own customer; ignored for managers and admins. */
  customers?: readonly string[] | undefined
}

export async function createUser(db: Queryable, user: NewUser): Promise<UserRow> {
  const id = randomUUID()
  const hash = await hashPassword(user.password)
  const { rows } = await db.query<UserRow>(
    `insert into app_user (id, username, display_name, password_hash, role, language) values ($1, $2, $3, $4, $5, $6) returning *`,
    [id, user.username, user.displayName ?? user.username, hash, user.role, user.language ?? 'zh-CN'],
  )
  if (user.customers?.length) await setUserCustomers(db, id, user.customers)
  return rows[0]!
}

export async function findUserByUsername(db: Queryable, username: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>('select * from app_user where lower(username) = lower($1)', [username])
  return rows[0]
}

export async function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>('select * from app_user where id = $1', [id])
  return rows[0]
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from app_user')
  return rows[0]?.n ?? 0
}

/** A new password ends every session of the user: whoever knew the old one is signed out. */
export async function setPassword(db: Queryable, userId: string, password: string): Promise<void> {
  const hash = await hashPassword(password)
  await db.query('update app_user set password_hash = $2, password_changed_at = now() where id = $1', [userId, hash])
  await db.query('delete from user_session where user_id = $1', [userId])
}

/** Replaces the user's customer list. Unknown customer ids fail on the foreign key. */
export async function setUserCustomers(db: Queryable, userId: string, customers: readonly string[]): Promise<void> {
  await db.query('delete from user_customer where user_id = $1', [userId])
  if (customers.length) {
    await db.query('insert into user_customer (user_id, customer_id) select $1, unnest($2::text[]) on conflict do nothing', [userId, [...new Set(customers)]])
  }
}

export async function userCustomers(db: Queryable, userId: string): Promise<string[]> {
  const { rows } = await db.query<{ customer_id: string }>('select customer_id from user_customer where user_id = $1 order by customer_id', [userId])
  return rows.map((r) => r.customer_id)
}

/** Disabling signs the user out everywhere (sessions deleted); their API tokens are refused while disabled. */
export async function setUserDisabled(db: Queryable, userId: string, disabled: boolean): Promise<void> {
  await db.query(`update app_user set disabled_at = case when $2::boolean then coalesce(disabled_at, now()) else null end where id = $1`, [userId, disabled])
  if (disabled) await db.query('delete from user_session where user_id = $1', [userId])
}
