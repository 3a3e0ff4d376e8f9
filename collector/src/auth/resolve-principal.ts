/** From a user row to the principal every route reads: role, and the customers the role lets them see. */
import type { Queryable } from '../store/db.js'
import type { Principal } from '../api/auth/principal.js'
import { userCustomers } from './users.js'

export interface PrincipalUser {
  id: string
  username: string
  role: Principal['role']
  language: Principal['language']
}

export async function resolvePrincipal(db: Queryable, user: PrincipalUser, via: Principal['via']): Promise<Principal> {
  // Managers and administrators serve every customer; engineers and viewers only those assigned.
  const customers = user.role === 'admin' || user.role === 'manager' ? 'all' : await userCustomers(db, user.id)
  return { userId: user.id, username: user.username, role: user.role, customers, via, language: user.language }
}
