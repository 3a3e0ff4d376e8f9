/**
 * Input problems found by a handler (after schema validation), reported in the same shape as
 * schema errors: `details` is a list of `{ instancePath, message }`, so a client shows both kinds
 * next to the field they concern.
 */
import { ApiError } from './errors.js'

export interface FieldProblem {
  instancePath: string
  message: string
}

export const fieldErrors = (problems: FieldProblem[]): ApiError =>
  new ApiError(400, 'BAD_REQUEST', problems.map((p) => `${p.instancePath || '/'} ${p.message}`).join('; '), problems)

/** An IANA time zone the runtime knows (Intl), e.g. Asia/Shanghai; null when fine. */
export function timeZoneProblem(zone: string): string | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return null
  } catch {
    return `unknown time zone "${zone}" (an IANA name such as Asia/Shanghai)`
  }
}
