/**
 * The first administrator. On a database without any user, `admin` is created with the configured
 * password (`adminPassword`, e.g. PATROL_ADMIN_PASSWORD), or else a generated one written to
 * `<dataDir>/initial-admin-password` (mode 0600). The password itself is never logged: the log
 * says where to find it. Two collectors starting on one empty database race on the unique
 * username; the loser finds the winner's admin and carries on.
 */
import { randomBytes } from 'node:crypto'
import { access, chmod, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from 'pino'
import type { Queryable } from '../store/db.js'
import { passwordProblem } from './passwords.js'
import { countUsers, createUser } from './users.js'

export const INITIAL_PASSWORD_FILE = 'initial-admin-password'

export interface BootstrapResult {
  created: boolean
  /** Where the generated password is, when there is such a file. */
  passwordFile: string | null
}

export async function ensureAdmin(db: Queryable, options: { adminPassword?: string | undefined; dataDir: string }, logger: Logger): Promise<BootstrapResult> {
  const file = path.join(options.dataDir, INITIAL_PASSWORD_FILE)
  const fileExists = await access(file).then(() => true, () => false)
  if ((await countUsers(db)) > 0) {
    if (fileExists) logger.info(`sign in as admin; the initial password is in ${file} (delete the file once you have changed it)`)
    return { created: false, passwordFile: fileExists ? file : null }
  }
  const given = options.adminPassword
  if (given !== undefined) {
    const problem = passwordProblem(given)
    if (problem) throw new Error(`adminPassword (PATROL_ADMIN_PASSWORD): ${problem}`)
  }
  const password = given ?? randomBytes(18).toString('base64url')
  try {
    await createUser(db, { username: 'admin', password, role: 'admin', displayName: 'Administrator', language: 'zh-CN' })
  } catch (error) {
    if ((error as { code?: string }).code === '23505') return { created: false, passwordFile: fileExists ? file : null }
    throw error
  }
  if (given !== undefined) {
    logger.info('created the first user: sign in as admin with the password from adminPassword (PATROL_ADMIN_PASSWORD)')
    return { created: true, passwordFile: null }
  }
  await writeFile(file, `${password}\n`, { mode: 0o600 })
  await chmod(file, 0o600) // a file left by an earlier installation keeps its old mode otherwise
  logger.info(`created the first user: sign in as admin; password in ${file}`)
  return { created: true, passwordFile: file }
}
