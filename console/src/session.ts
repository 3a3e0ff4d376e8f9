import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { roleAtLeast, type Role, type User } from './types.js'

export interface Session {
  user: User
  logout: () => void
}

export const SessionContext = createContext<Session | null>(null)

export function useSession(): Session {
  const s = useContext(SessionContext)
  if (!s) throw new Error('useSession outside a signed-in page')
  return s
}

/** Whether the signed-in user's role reaches `min`; the server enforces it too, this only hides controls. */
export function useCan(min: Role): boolean {
  return roleAtLeast(useSession().user.role, min)
}
