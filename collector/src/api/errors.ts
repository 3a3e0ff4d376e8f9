/**
 * API errors: one body shape for every failure, `{ error: { code, message, details? } }`, with
 * stable codes. Client mistakes are 4xx with the reason; server faults are logged in full and
 * answered with a generic message.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export const notFound = (what: string) => new ApiError(404, 'NOT_FOUND', `${what} not found`)
export const badRequest = (message: string, details?: unknown) => new ApiError(400, 'BAD_REQUEST', message, details)
