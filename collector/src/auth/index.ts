// Accounts, sessions, API tokens and the principal they resolve to. The HTTP side is in api/auth/.
export { hashPassword, passwordProblem, verifyAgainstDummy, verifyPassword } from './passwords.js'
export { countUsers, createUser, findUserById, findUserByUsername, setPassword, setUserCustomers, setUserDisabled, userCustomers, type NewUser, type UserRow } from './users.js'
export { createSession, deleteExpiredSessions, deleteSession, findSession, DEFAULT_SESSION_POLICY, type ActiveSession, type NewSession, type SessionPolicy } from './sessions.js'
export { createApiToken, looksLikeApiToken, principalForToken, revokeApiToken, TOKEN_PREFIX, type NewApiToken } from './tokens.js'
export { resolvePrincipal } from './resolve-principal.js'
export { randomSecret, sha256 } from './secrets.js'
export { summariseBody, writeAudit, SECRET_KEY, type AuditEntry } from './audit.js'
export { ensureAdmin, INITIAL_PASSWORD_FILE, type BootstrapResult } from './bootstrap.js'
