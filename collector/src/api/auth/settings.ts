/** How the auth plugin behaves; from the collector config, with defaults for apps built in tests. */
import { DEFAULT_SESSION_POLICY, type SessionPolicy } from '../../auth/sessions.js'

export interface AuthSettings {
  session: SessionPolicy
  /** Cookie `Secure` flag: 'auto' sets it when the request came over TLS (or via a proxy saying so). */
  cookieSecure: 'auto' | 'always' | 'never'
  /** Sign-in attempts allowed per username within `loginWindowMinutes`. */
  loginMaxAttempts: number
  /** Sign-in attempts allowed per client address (an office behind one NAT address shares it). */
  loginMaxAttemptsPerIp: number
  loginWindowMinutes: number
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = { session: DEFAULT_SESSION_POLICY, cookieSecure: 'auto', loginMaxAttempts: 10, loginMaxAttemptsPerIp: 30, loginWindowMinutes: 15 }

export const SESSION_COOKIE = 'patrol_session'
export const CSRF_HEADER = 'x-csrf-token'
