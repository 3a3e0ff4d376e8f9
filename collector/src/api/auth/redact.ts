/**
 * What the API's log never shows: credentials in headers and secret fields in logged objects.
 * A safety net under the rule that nothing logs a body or a header wholesale.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["x-csrf-token"]',
  'password',
  'token',
  'secret',
  'csrfToken',
  '*.password',
  '*.token',
  '*.secret',
  '*.csrfToken',
  'body.*.password',
]

export const REDACT = { paths: REDACT_PATHS, censor: '[redacted]' }
